"""Helpers the test modules share: fakes served over loopback, sample answers, the action run as the runner runs it."""
