"""Offline spoken queue calls for the waiting-room TV: Indonesian number words, chime and espeak-ng clips."""
