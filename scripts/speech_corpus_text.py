"""Words for the speech-in development corpus: distractors, wake-word near-misses, and a
bank of ordinary couple talk for false-accept measurement.

Everything here was written for this project. None of it contains the wake word: the
distractors are full of command words ("stop", "next", "help", "say that again", "pause")
but never addressed, which is exactly what a couple says during a twenty-minute talk.
"""

from __future__ import annotations

import itertools
import random

# Sentences that contain command words or whole command phrases, but no wake word.
DISTRACTORS: tuple[str, ...] = (
    "I need a little help with the dishes",
    "stop worrying about the next question",
    "let's pause the movie for a minute",
    "say that again, I didn't hear you",
    "we should start a session with the kids' teacher",
    "next week we are visiting your mother",
    "can you help me carry the groceries",
    "yes, I think that was the right call",
    "no, I don't want any more coffee",
    "please stop leaving the door open",
    "I'll continue the story after dinner",
    "let's begin with the hardest part",
    "we could use five more minutes in the morning",
    "the next one is on the left",
    "hold on, the phone is ringing",
    "wait a moment, where are my keys",
    "speak up when the neighbours are too loud",
    "could you slow down a little on the highway",
    "it's getting louder outside",
    "the music should be softer at night",
    "how much time is left on the parking meter",
    "there's no time left for a walk today",
    "carry on, I'm listening",
    "once more and then we go to bed",
    "that's enough ice cream for one evening",
    "we're done with the painting at last",
    "ask us a question about the trip, the kids said",
    "she said a prayer for her grandmother",
    "my doctor said seven breaths before a meeting helps",
    "the breathing exercise at yoga was hard",
    "let's breathe some fresh air on the balcony",
    "what can I say, it was a long day",
    "repeat that joke you told at the party",
    "resume the download when you get home",
    "end the session of the board game, everyone is tired",
    "okay, I'll call the plumber tomorrow",
    "yes please, a cup of tea would be lovely",
    "no thanks, I already ate",
    "not now, I'm in the middle of something",
    "give us a question to think about, said the priest",
    "an evening question from the book club",
    "time left on the oven clock says ten minutes",
    "go on, tell me what happened at work",
    "next question on the quiz was about rivers",
    "help yourself to the salad",
    "pray with us, the pastor said on Sunday",
    "stop the car, I forgot my bag",
    "pause for a second and think about it",
    "continue straight past the bakery",
    "slower drivers keep to the right",
    "she speaks softer than her sister",
    "quieter neighbours would be nice",
    "start the session timer for the pasta",
    "let's begin the holidays early this year",
    "a question please, how old is that tree",
    "more time with you is all I want",
    "five more minutes of sleep, please",
    "is there any time left before the train",
    "louder music won't fix the mood",
    "softer pillows, that's what we need",
    "hold on to the railing on the stairs",
    "that's enough for today, I'm exhausted",
    "can you repeat that recipe for me",
)

# Near-misses of the wake word "kindred", alone or followed by a command word.
NEAR_MISSES: tuple[str, ...] = (
    "kindly stop that",
    "kinder people say thank you",
    "kin dread is an old word",
    "a candid conversation helps",
    "kindling for the fireplace",
    "kind of next to the window",
    "kindly pass the salt",
    "the kindergarten is closed on friday",
    "hundred more minutes",
    "kinder next time",
    "kindly help me with this",
    "kitten, stop scratching the sofa",
    "Kendra, pause the music",
    "kindling, stop",
    "kind regards, see you next week",
    "Kinsey said yes",
    "children, stop running",
    "in red, please",
    "kind of a long day",
    "I kind of liked that restaurant",
)

# Ordinary couple talk: templates x fillers, plus free sentences.
_FREE = (
    "did you see the message from your brother",
    "the garden looks beautiful this time of year",
    "I was thinking we could paint the hallway green",
    "your mother called while you were out",
    "the car is making that noise again",
    "we should book the flights before the prices go up",
    "I really liked what you said about patience",
    "the baby finally slept through the night",
    "remember the little cafe by the harbour",
    "I'm sorry I was short with you this morning",
    "thank you for listening to me earlier",
    "what would you like to do this weekend",
    "the rain is supposed to stop by tomorrow",
    "I found your glasses under the cushion",
    "shall we invite the neighbours for dinner",
    "I feel like we haven't really talked in days",
    "the heating bill was higher than last month",
    "let's try that recipe with the lemons",
    "I love how you laugh at your own jokes",
    "we could go to the lake if the weather holds",
    "my back hurts from carrying those boxes",
    "tell me one thing that made you happy today",
    "I think the kids are growing up too fast",
    "the dog needs a walk before it gets dark",
    "did you water the tomatoes",
    "it was a strange meeting, nobody wanted to decide",
    "I'm proud of how you handled your father",
    "we need milk, bread and some apples",
    "the bathroom tap is dripping again",
    "I don't remember the last time we danced",
    "that film was longer than it needed to be",
    "would you rather live by the sea or in the mountains",
    "I miss the way we used to cook together",
    "your sister sent photos from her trip",
    "the new job sounds exciting but a bit scary",
    "I'll take the bins out later",
    "let me finish this email and I'm all yours",
    "we should plan something special for the anniversary",
    "I forgot to call the dentist again",
    "honestly I was worried about you",
)
_PEOPLE = ("your mother", "my brother", "the neighbours", "our friends from church",
           "the kids", "your boss", "my sister", "the twins", "grandpa", "the new couple",
           "your old roommate", "the teacher")
_ACTIVITIES = ("go for a walk", "call the bank", "fix the gate", "bake some bread",
               "clean the garage", "visit the market", "read for an hour", "plant the bulbs",
               "sort the photos", "wash the car", "go to the cinema", "cook a curry",
               "tidy the cupboard", "try the new bakery", "ride our bikes", "write to grandma")
_TIMES = ("on saturday", "tomorrow evening", "after lunch", "next month", "before the holidays",
          "this afternoon", "on sunday morning", "after work", "in the spring", "tonight")
_FEELINGS = ("tired", "happy", "a bit anxious", "grateful", "restless", "calm", "hopeful",
             "overwhelmed", "relieved", "excited")
_THINGS = ("the holiday", "the new sofa", "the school meeting", "the garden", "your health",
           "the budget", "our evenings", "the wedding", "the move", "the kids' homework")
_TEMPLATES = (
    "do you want to {act} {time}",
    "I promised {who} we would {act} {time}",
    "maybe we could {act} {time}",
    "{who} asked if we want to {act}",
    "I've been feeling {feel} about {thing}",
    "what do you think about {thing}",
    "{who} seemed {feel} when we spoke",
    "I'm {feel} that we talked about {thing}",
    "we still have to decide about {thing}",
    "let's talk about {thing} {time}",
)


def conversation_sentences() -> list[str]:
    """Hundreds of distinct wake-word-free sentences (deterministic order)."""
    out: list[str] = list(_FREE)
    fill = {"who": _PEOPLE, "act": _ACTIVITIES, "time": _TIMES, "feel": _FEELINGS,
            "thing": _THINGS}
    for template in _TEMPLATES:
        keys = [k for k in fill if "{" + k + "}" in template]
        for combo in itertools.product(*(fill[k] for k in keys)):
            out.append(template.format(**dict(zip(keys, combo))))
    # Keep every free sentence and an even, deterministic sample of the combinations.
    rng = random.Random(7)
    combos = out[len(_FREE):]
    rng.shuffle(combos)
    sentences = list(_FREE) + combos[:560]
    # Distractors belong in conversation too: they are what a couple actually says.
    sentences += list(DISTRACTORS)
    return sentences
