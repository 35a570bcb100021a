"""CLI: python -m provena_trainer train|evaluate|predict|serve|check --spec job.json

`check` only parses and validates a training spec (no model or data is loaded), so a job can be
refused with the worker's own rules before it is queued.
Exit status: 0 done, 1 error (an `error` line says which), 3 cancelled by SIGTERM after the
final checkpoint.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback

from .errors import TrainerError
from .protocol import Emitter, setup_logging

EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 3


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="provena_trainer", description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["train", "evaluate", "predict", "serve", "check"])
    ap.add_argument("--spec", required=True, help="job spec: a JSON file, or inline JSON")
    args = ap.parse_args(argv)

    setup_logging(os.environ.get("PROVENA_LOG_LEVEL", "INFO"))
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # stdout belongs to the protocol: keep a private handle and send stray prints to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    emitter = Emitter(out)

    cancel = threading.Event()
    # The loop stops at the next micro-batch boundary and checkpoints; a second SIGTERM is left
    # to the same path rather than killing mid-write.
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    try:
        from .config import load_spec

        spec = load_spec(args.spec, "train" if args.mode == "check" else args.mode)
        if args.mode == "check":
            emitter.emit("done", mode="check", steps=0, elapsed_s=0.0, output_dir=spec.output_dir, metrics={})
        elif args.mode == "train":
            from .train import train

            train(spec, emitter, cancel)
        elif args.mode == "serve":
            from .serve import serve

            serve(spec, emitter, sys.stdin, cancel)
        else:
            from .evaluate import run

            run(spec, args.mode, emitter)
        return EXIT_OK
    except TrainerError as err:
        fields = {"code": err.code, "message": err.message, **{k: v for k, v in err.details.items() if v is not None}}
        emitter.emit("error", **fields)
        return EXIT_CANCELLED if err.code == "cancelled" else EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - reported, never a silent death
        import torch

        logging.getLogger("provena_trainer").error(traceback.format_exc())
        code = "out_of_memory" if isinstance(exc, torch.OutOfMemoryError) else "internal_error"
        emitter.emit("error", code=code, message=f"{type(exc).__name__}: {exc}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
