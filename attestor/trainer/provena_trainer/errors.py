"""Error codes shared by every mode; the TypeScript side switches on `code`, never on messages."""

# code -> one-line meaning (the README's table is generated from the same words by hand).
ERROR_CODES = {
    "invalid_spec": "the job spec is not valid JSON, has an unknown field or a value of the wrong type",
    "invalid_hyperparameter": "a value is out of its allowed range",
    "model_not_found": "the model directory does not exist or holds no config.json",
    "model_load_failed": "the model directory exists but transformers could not load it",
    "data_not_found": "a dataset file does not exist",
    "invalid_record": "a dataset record is neither {text} nor {messages}, or is malformed",
    "empty_dataset": "no usable training record (or evaluation split) remains",
    "no_target_modules": "none of the LoRA target modules exists in the model",
    "qlora_unsupported": "QLoRA cannot run here: bitsandbytes is missing, cannot quantize on this device, or quantizes no layer of this model (the message says which)",
    "model_too_large": "full fine-tuning was asked for a model above full_max_params",
    "checkpoint_not_found": "resume_from does not point at a checkpoint of this worker",
    "adapter_not_found": "an adapter directory does not exist or is not in PEFT format",
    "cancelled": "SIGTERM received (a final checkpoint was written), or a serve request was cancelled (op cancel)",
    "out_of_memory": "the device ran out of memory",
    "bad_request": "a serve request is malformed",
    "internal_error": "an unexpected failure (bug); the message carries the exception",
}


class TrainerError(Exception):
    """An expected failure with a stable code, reported as an `error` message."""

    def __init__(self, code: str, message: str, **details):
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
