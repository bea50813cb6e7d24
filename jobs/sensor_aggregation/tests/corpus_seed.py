"""The seed of the generated message corpus (test_poison_messages.py): POISON_SEED from the environment replays a
run; otherwise a new one each run, printed in pytest's header by conftest.py."""
import os
import random

POISON_SEED = int(os.environ.get("POISON_SEED") or random.SystemRandom().randrange(1 << 32))
