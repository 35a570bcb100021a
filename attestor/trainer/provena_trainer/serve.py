"""Long-lived chat mode: one base model, any number of adapters, JSON-lines requests on stdin.

Each request names an adapter (or none: the base model answers), so the GUI can show a
fine-tuned model side by side with its base without loading the base twice. A reader thread takes
the lines off stdin while a reply is generated, so that `{"id", "op": "cancel"}` stops that reply
at its next token (the client is gone, or its time is up) and the worker goes on serving.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import threading
import time

import torch
from transformers import StoppingCriteria, StoppingCriteriaList

from .config import GenerationArgs, JobSpec, _convert, validate_generation
from .errors import TrainerError
from .evaluate import encode_prompt, generate
from .model import check_adapter_dir, family_of, load_base_model, model_context, load_tokenizer, pick_device, read_model_type, resolve_model_dir, set_threads
from .protocol import Emitter

GENERATION_FIELDS = {f.name for f in dataclasses.fields(GenerationArgs)}


class TextStream:
    """Receives generated ids (transformers streamer interface), emits new text as `token`
    messages, and finds stop sequences.

    Text is decoded from all generated ids each time, because one character may span several
    tokens; a tail that could still become a stop sequence (or an incomplete character) is held
    back until it is known not to be one.
    """

    def __init__(self, tokenizer, request_id: str, stops: list[str], emitter: Emitter):
        self.tokenizer, self.id, self.stops, self.emitter = tokenizer, request_id, stops, emitter
        self.ids: list[int] = []
        self.sent = 0
        self.stopped = False
        self.skip_prompt = True
        self.text = ""

    def put(self, value: torch.Tensor) -> None:
        if self.skip_prompt:  # generate() first passes the prompt
            self.skip_prompt = False
            return
        self.ids.extend(value.reshape(-1).tolist())
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        cut = min((i for s in self.stops if (i := text.find(s)) >= 0), default=-1)
        if cut >= 0:
            self.text, self.stopped = text[:cut], True
        else:
            self.text = text
        self.flush(final=self.stopped)

    def flush(self, final: bool) -> None:
        safe = len(self.text)
        if not final:
            if self.text.endswith("\ufffd"):
                safe -= 1
            for s in self.stops:
                for k in range(min(len(s) - 1, len(self.text)), 0, -1):
                    if self.text.endswith(s[:k]):
                        safe = min(safe, len(self.text) - k)
                        break
        if safe > self.sent:
            self.emitter.emit("token", id=self.id, text=self.text[self.sent : safe])
            self.sent = safe

    def end(self) -> None:
        self.flush(final=True)


class StopOnText(StoppingCriteria):
    def __init__(self, stream: TextStream):
        self.stream = stream

    def __call__(self, input_ids, scores, **kwargs):
        return torch.full((input_ids.shape[0],), self.stream.stopped, dtype=torch.bool, device=input_ids.device)


class StopOnCancel(StoppingCriteria):
    def __init__(self, cancelled: set[str], request_id: str):
        self.cancelled, self.id = cancelled, request_id

    def __call__(self, input_ids, scores, **kwargs):
        return torch.full((input_ids.shape[0],), self.id in self.cancelled, dtype=torch.bool, device=input_ids.device)


class Server:
    def __init__(self, spec: JobSpec, emitter: Emitter):
        set_threads()
        self.spec, self.emitter = spec, emitter
        # Ids of chat requests to stop: written by the reader thread, read between tokens.
        self.cancelled: set[str] = set()
        self.path = resolve_model_dir(spec.model)
        self.context = model_context(self.path)
        self.family = family_of(read_model_type(self.path))
        self.device = pick_device("lora")
        self.tokenizer = load_tokenizer(self.path, spec.model)
        self.model = load_base_model(self.path, spec.model, self.device)
        self.adapters: list[str] = []
        for name, path in spec.serve.adapters.items():
            self.add_adapter(name, path)
        self.model.eval()

    def add_adapter(self, name: str, path: str) -> None:
        from peft import PeftModel

        check_adapter_dir(path, field=f"serve.adapters.{name}")
        if not isinstance(self.model, PeftModel):
            self.model = PeftModel.from_pretrained(self.model, path, adapter_name=name)
        else:
            self.model.load_adapter(path, adapter_name=name)
        self.adapters.append(name)
        self.model.eval()

    def chat(self, request: dict) -> None:
        rid = request["id"]
        gen = self.generation_args(request)
        adapter = request.get("adapter")
        if adapter is not None and adapter not in self.adapters:
            raise TrainerError("adapter_not_found", f"no adapter named {adapter!r}; loaded: {self.adapters}")
        if isinstance(request.get("messages"), list):
            prompt = {"messages": request["messages"]}
        elif isinstance(request.get("prompt"), str):
            prompt = request["prompt"]
        else:
            raise TrainerError("bad_request", "chat needs messages or prompt")
        ids = encode_prompt(self.tokenizer, prompt)
        if self.context is not None:
            # Past its context a model indexes beyond its position table: the prompt must leave room.
            if len(ids) >= self.context:
                raise TrainerError("bad_request", f"the prompt is {len(ids)} tokens; the model reads at most {self.context}")
            gen.max_new_tokens = min(gen.max_new_tokens, self.context - len(ids))
        stream = TextStream(self.tokenizer, rid, gen.stop, self.emitter)
        start = time.time()
        criteria = StoppingCriteriaList([StopOnText(stream), StopOnCancel(self.cancelled, rid)])
        extra = {"streamer": stream, "stopping_criteria": criteria}
        if rid in self.cancelled:
            raise TrainerError("cancelled", f"request {rid} was cancelled before it started")
        if adapter is None and self.adapters:
            with self.model.disable_adapter():
                new = generate(self.model, self.tokenizer, ids, gen, self.device, **extra)
        else:
            if adapter is not None:
                self.model.set_adapter(adapter)
            new = generate(self.model, self.tokenizer, ids, gen, self.device, **extra)
        if rid in self.cancelled:
            raise TrainerError("cancelled", f"request {rid} was cancelled after {len(new)} tokens")
        eos = set(self.eos_ids())
        if stream.stopped:
            reason = "stop"
        elif new and new[-1] in eos:
            reason = "eos"
        else:
            reason = "length"
        self.emitter.emit("reply", id=rid, adapter=adapter, text=stream.text, finish_reason=reason,
                          prompt_tokens=len(ids), completion_tokens=len(new), elapsed_s=time.time() - start)

    def eos_ids(self) -> list[int]:
        eos = self.model.generation_config.eos_token_id
        return eos if isinstance(eos, list) else [eos] if eos is not None else []

    def generation_args(self, request: dict) -> GenerationArgs:
        overrides = {k: v for k, v in request.items() if k in GENERATION_FIELDS}
        merged = {**dataclasses.asdict(self.spec.generation), **overrides}
        try:
            args = _convert(GenerationArgs, merged, "request")
            validate_generation(args, "request")
            return args
        except TrainerError as err:
            raise TrainerError("bad_request", err.message) from err


def serve(spec: JobSpec, emitter: Emitter, stdin, cancel: threading.Event | None = None) -> None:
    start = time.time()
    server = Server(spec, emitter)
    emitter.emit("ready", model=server.path, family=server.family, adapters=list(server.adapters))
    served = 0
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in stdin:
            try:
                request = json.loads(line)
            except json.JSONDecodeError:
                request = None
            if isinstance(request, dict) and request.get("op") == "cancel" and isinstance(request.get("id"), str):
                # A cancel of a reply already sent is kept, harmlessly: ids are not reused.
                server.cancelled.add(request["id"])
            else:
                lines.put(line)
        lines.put(None)

    threading.Thread(target=read, name="serve-stdin", daemon=True).start()
    while (line := lines.get()) is not None:
        if cancel is not None and cancel.is_set():
            break
        if not line.strip():
            continue
        rid = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("id"), str):
                raise TrainerError("bad_request", "a request is a JSON object with a string id")
            rid = request["id"]
            op = request.get("op", "chat")
            if op == "shutdown":
                break
            if op == "load_adapter":
                if not isinstance(request.get("name"), str) or not isinstance(request.get("path"), str):
                    raise TrainerError("bad_request", "load_adapter needs name and path")
                server.add_adapter(request["name"], request["path"])
                emitter.emit("ready", model=server.path, family=server.family, adapters=list(server.adapters))
            elif op == "chat":
                try:
                    server.chat(request)
                finally:
                    server.cancelled.discard(rid)
                served += 1
            else:
                raise TrainerError("bad_request", f"unknown op {op!r}")
        except json.JSONDecodeError as exc:
            emitter.emit("error", code="bad_request", message=f"not JSON: {exc}")
        except TrainerError as err:
            # A bad request fails alone; the worker keeps serving.
            emitter.emit("error", code=err.code, message=err.message, **({"id": rid} if rid else {}))
    emitter.emit("done", mode="serve", elapsed_s=time.time() - start, output_dir=None, metrics={"requests": served})
