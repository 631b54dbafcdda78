"""The pure core: the run's plan, event reading, answers deciphered, the verdict, the rendered texts, the sanitiser.

It imports no I/O library and nothing of the gate outside itself (tests/test_layers.py).
"""
