"""Audio plumbing shared by speech in and speech out: chunks, files, devices, resampling."""
