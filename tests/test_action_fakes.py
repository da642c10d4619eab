"""The stand-ins the action's tests run against, and the tests that keep them honest.

`FakeGitHub` is a stateful app on 127.0.0.1 serving the few REST endpoints the action calls
(comments, a commit's pull requests, workflow runs and their artifacts), with GitHub's
paging, its 65,536-character comment limit and its bearer token check. `ActionRun` plays
action.yml's steps as the runner would: it evaluates the `if:` and `${{ }}` expressions the
file uses (and refuses any other, so a typo in a step id or an input name fails the test),
gives each `run:` step fresh GITHUB_OUTPUT and GITHUB_ENV files, and stands in for the
`uses:` steps (setup-python, upload-artifact, download-artifact keep artifacts in a dict).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).parent.parent
TOKEN = "ghs_fake-token-for-tests"
REPOSITORY = "example/releases"
BOT = {"login": "github-actions[bot]", "type": "Bot"}
COMMENT_LIMIT = 65536


@dataclass
class FakeGitHub:
    """GitHub's state as the tests set it up and the action leaves it."""

    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    pulls_of_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    _next_id: int = 1000

    def add_comment(self, number: int, body: str, user: Mapping[str, str] = BOT) -> None:
        self._next_id += 1
        self.comments.setdefault(number, []).append(
            {"id": self._next_id, "body": body, "user": dict(user)}
        )

    def handle(self, method: str, target: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        self.requests.append((method, target))
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        repo = f"/repos/{REPOSITORY}"
        if not url.path.startswith(repo + "/"):
            return 404, {"message": "Not Found"}, {}
        path = url.path.removeprefix(repo)
        if m := re.fullmatch(r"/issues/(\d+)/comments", path):
            number = int(m[1])
            if method == "GET":
                return self._page(self.comments.get(number, []), query, target)
            if method == "POST":
                return self._create(number, body)
        if (m := re.fullmatch(r"/issues/comments/(\d+)", path)) and method == "PATCH":
            return self._update(int(m[1]), body)
        if (m := re.fullmatch(r"/commits/(\w+)/pulls", path)) and method == "GET":
            return self._page(self.pulls_of_commit.get(m[1], []), query, target)
        if path == "/actions/runs" and method == "GET":
            runs = [r for r in self.runs if _run_matches(r, query)]
            return 200, {"total_count": len(runs), "workflow_runs": runs}, {}
        if (m := re.fullmatch(r"/actions/runs/(\d+)/artifacts", path)) and method == "GET":
            found = [a for a in self.artifacts.get(int(m[1]), []) if a["name"] == query["name"]]
            return 200, {"total_count": len(found), "artifacts": found}, {}
        return 404, {"message": "Not Found"}, {}

    def _page(
        self, items: list[dict[str, Any]], query: dict[str, str], target: str
    ) -> tuple[int, Any, dict[str, str]]:
        size, page = int(query.get("per_page", "30")), int(query.get("page", "1"))
        shown = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            base = re.sub(r"&page=\d+", "", target)
            headers["Link"] = f'<{self.url}{base}&page={page + 1}>; rel="next"'
        return 200, shown, headers

    def _create(self, number: int, body: Any) -> tuple[int, Any, dict[str, str]]:
        if len(body["body"]) > COMMENT_LIMIT:
            return 422, {"message": "Validation Failed: body is too long"}, {}
        self.add_comment(number, body["body"])
        return 201, self.comments[number][-1], {}

    def _update(self, comment_id: int, body: Any) -> tuple[int, Any, dict[str, str]]:
        if len(body["body"]) > COMMENT_LIMIT:
            return 422, {"message": "Validation Failed: body is too long"}, {}
        for comment in (c for cs in self.comments.values() for c in cs):
            if comment["id"] == comment_id:
                comment["body"] = body["body"]
                return 200, comment, {}
        return 404, {"message": "Not Found"}, {}


def _run_matches(run: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    wanted = {"head_sha": run["head_sha"], "event": run["event"], "status": run["conclusion"]}
    return all(query.get(k) in (None, v) for k, v in wanted.items())


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, answer, headers = 401, {"message": "Bad credentials"}, {}
            else:
                length = int(self.headers.get("Content-Length") or 0)
                sent = json.loads(self.rfile.read(length)) if length else None
                status, answer, headers = fake.handle(self.command, self.path, sent)
            data = json.dumps(answer).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _answer

        def log_message(self, *args: Any) -> None:  # quiet: the tests read fake.requests
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- the runner -----------------------------------------------------------------------------

_TOKENS = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<ref>[A-Za-z_][\w.-]*))"
)


class Expressions:
    """The part of GitHub's expression language action.yml uses: context references, string
    literals, == != && || ! and parentheses. Anything else is an error, and so is a reference
    to an input action.yml does not declare or a step it does not have."""

    def __init__(self, inputs: Mapping[str, str], github: Mapping[str, str], step_ids: set[str]):
        self.inputs, self.github, self.step_ids = inputs, github, step_ids
        self.steps: dict[str, dict[str, str]] = {}

    def value(self, ref: str) -> str:
        head, _, rest = ref.partition(".")
        if head == "inputs":
            if rest not in self.inputs:
                raise KeyError(f"no input {rest!r} in action.yml")
            return self.inputs[rest]
        if head == "github":
            return self.github[rest]
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            if step not in self.step_ids or not output:
                raise KeyError(f"no step {step!r} in action.yml (or not an output: {ref})")
            return self.steps.get(step, {}).get(output, "")
        raise KeyError(f"context {head!r} is not supported here")

    def evaluate(self, expression: str) -> str | bool:
        python, position = [], 0
        words = {"&&": " and ", "||": " or ", "!": " not ", "==": "==", "!=": "!="}
        while position < len(expression.rstrip()):
            token = _TOKENS.match(expression, position)
            if token is None:
                raise ValueError(f"cannot read {expression!r} at {position}")
            position = token.end()
            if token["str"]:
                python.append(repr(token["str"][1:-1].replace("''", "'")))
            elif token["op"]:
                python.append(words.get(token["op"], token["op"]))
            else:
                python.append(repr(self.value(token["ref"])))
        result = eval("".join(python), {"__builtins__": {}})  # built from our tokens only
        assert isinstance(result, str | bool)
        return result

    def template(self, text: str) -> str:
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(self.evaluate(m[1])), text)


@dataclass
class StepResult:
    name: str
    ran: bool
    code: int = 0
    stdout: str = ""
    stderr: str = ""


@dataclass
class ActionRun:
    """A job that runs action.yml once, in `workspace`, with a fake runner environment."""

    workspace: Path
    runner_temp: Path
    environ: dict[str, str]
    artifacts: dict[int, dict[str, dict[str, bytes]]]  # run id -> name -> file -> bytes
    replaced: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    failed: bool = False

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)

    def step(self, name: str) -> StepResult:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    def run(self, inputs: Mapping[str, str]) -> ActionRun:
        action = load_action()
        declared = action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs action.yml does not declare: {unknown}"
        github = {
            "token": self.environ["GITHUB_TOKEN"],
            "event_name": self.environ["GITHUB_EVENT_NAME"],
        }
        values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        step_ids = {s["id"] for s in action["runs"]["steps"] if "id" in s}
        expressions = Expressions(values, github, step_ids)
        values.update({k: expressions.template(v) for k, v in values.items()})
        values.update(inputs)
        for step in action["runs"]["steps"]:
            name = step.get("id") or step["uses"]
            condition = step.get("if")
            if self.failed or (condition and not expressions.evaluate(condition)):
                self.steps.append(StepResult(name, ran=False))
                continue
            if step.get("id") in self.replaced:
                expressions.steps[step["id"]] = dict(self.replaced[step["id"]])
                self.steps.append(StepResult(name, ran=True))
                continue
            if "uses" in step:
                self.steps.append(StepResult(name, ran=True))
                with_ = {k: expressions.template(str(v)) for k, v in step.get("with", {}).items()}
                outputs = self._uses(step["uses"], with_)
            else:
                env = {k: expressions.template(str(v)) for k, v in step.get("env", {}).items()}
                cwd = self.workspace / expressions.template(step.get("working-directory", "."))
                outputs = self._run(name, step["run"], env, cwd)
            if "id" in step:
                expressions.steps[step["id"]] = outputs
        self.outputs = {
            name: expressions.template(spec["value"]) for name, spec in action["outputs"].items()
        }
        return self

    def _run(self, name: str, script: str, env: Mapping[str, str], cwd: Path) -> dict[str, str]:
        output = self.runner_temp / f"output-{len(self.steps)}"
        output.write_text("")
        environ = {**self.environ, **env, "GITHUB_OUTPUT": str(output)}
        done = subprocess.run(
            ["bash", "-e", "-c", script], cwd=cwd, env=environ, capture_output=True, text=True
        )
        self.steps.append(StepResult(name, True, done.returncode, done.stdout, done.stderr))
        self.failed = done.returncode != 0
        return parse_outputs(output.read_text(encoding="utf-8"))

    def _uses(self, uses: str, with_: Mapping[str, str]) -> dict[str, str]:
        action = uses.split("@")[0]
        if action == "actions/setup-python":
            return {"python-path": sys.executable}
        run_id = int(self.environ["GITHUB_RUN_ID"])
        if action == "actions/upload-artifact":
            files = [Path(p) for p in with_["path"].split("\n") if p.strip()]
            missing = [f for f in files if not f.is_file()]
            assert not missing or with_.get("if-no-files-found") != "error", missing
            kept = {f.name: f.read_bytes() for f in files if f.is_file()}
            self.artifacts.setdefault(run_id, {})[with_["name"]] = kept
            return {}
        if action == "actions/download-artifact":
            stored = self.artifacts[int(with_["run-id"])][with_["name"]]
            target = Path(with_["path"])
            target.mkdir(parents=True, exist_ok=True)
            for file_name, data in stored.items():
                (target / file_name).write_bytes(data)
            return {}
        raise AssertionError(f"no stand-in for {uses}")


def load_action() -> dict[str, Any]:
    loaded = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` or `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            else:
                raise AssertionError(f"output {name} has no closing {delimiter}")
            outputs[name] = "\n".join(value)
        elif line:
            name, value_ = line.split("=", 1)
            outputs[name] = value_
    return outputs


def reconciler_executable() -> str:
    found = Path(sys.executable).parent / "reconciler"
    return str(found) if found.is_file() else (shutil.which("reconciler") or "reconciler")


# -- the stand-ins' own tests ---------------------------------------------------------------


def _expressions() -> Expressions:
    return Expressions({"command": "plan", "plan-file": ""}, {"event_name": "push"}, {"run"})


def test_expressions_follow_githubs_operators() -> None:
    ex = _expressions()
    ex.steps["run"] = {"exitcode": "2"}
    assert ex.evaluate("inputs.command == 'plan' && steps.run.outputs.exitcode != ''") is True
    assert ex.evaluate("!(inputs.command == 'plan') || github.event_name == 'push'") is True
    assert ex.evaluate("steps.run.outputs.nothing || 'python3'") == "python3"
    assert ex.template("a ${{ inputs.command }} b ${{ 'it''s' }}") == "a plan b it's"


@pytest.mark.parametrize(
    "expression", ["inputs.comand", "steps.runn.outputs.exitcode", "runner.os", "success()"]
)
def test_expressions_refuse_what_action_yml_must_not_say(expression: str) -> None:
    with pytest.raises((KeyError, ValueError)):
        _expressions().evaluate(expression)


def test_outputs_are_read_in_both_forms() -> None:
    text = "a=1\nb<<EOF_x\nline one\nline=two\nEOF_x\nc=x<<y\n"
    assert parse_outputs(text) == {"a": "1", "b": "line one\nline=two", "c": "x<<y"}


def test_the_fake_pages_comments_and_checks_the_token(github: FakeGitHub) -> None:
    import urllib.error
    import urllib.request

    for n in range(3):
        github.add_comment(7, f"comment {n}")
    request = urllib.request.Request(
        f"{github.url}/repos/{REPOSITORY}/issues/7/comments?per_page=2",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request) as answer:
        assert [c["body"] for c in json.load(answer)] == ["comment 0", "comment 1"]
        assert 'page=2>; rel="next"' in answer.headers["Link"]
    request.remove_header("Authorization")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401
    refused.value.close()
