"""Builds the optional C loop of the SMS reply decoder (bridge/sms/_fastrun.c).

Everything else is in setup.cfg.  Without a C compiler or Python's headers the build skips the
extension (``optional``) and the decoder runs its generated Python loop instead: the same
results, about three times the CPU on a big reply (docs/performance.md).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("bridge.sms._fastrun", ["bridge/sms/_fastrun.c"], optional=True,
                             extra_compile_args=["-O2"])])
