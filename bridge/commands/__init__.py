"""Sub-commands of ``lmstv``; each module has ``register(subparsers)``."""
