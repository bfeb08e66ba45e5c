"""Speech out: rendering text to audio, the render cache, chimes and cancellable playback."""
