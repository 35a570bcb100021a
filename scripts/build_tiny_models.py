"""Builds the tiny random-initialized models of every family (see provena_trainer.tiny_models).

    python scripts/build_tiny_models.py OUT_DIR [--only llama,gpt2]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "attestor" / "trainer"))

from provena_trainer.tiny_models import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
