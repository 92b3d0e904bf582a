"""Render and check the project workflow's state machine definition (SPEC WF-1, WF-2).

``render_state_machine`` renders an Amazon States Language template with exactly
the variables it is given (Jinja2, StrictUndefined): a template that refers to
anything else fails, naming what it referred to, so a definition can never be
uploaded with a hole in it. ``validate_state_machine`` then checks the rules the
platform holds every state machine to, before any AWS call:

* the document is a JSON object with ``StartAt`` and ``States``;
* every ``Next``, ``Default``, choice and catcher target exists, every state is
  reachable from ``StartAt``, every non-terminal state has ``Next`` or ``End``,
  every ``Choice`` has a ``Default``;
* every ``Task`` has a ``Retry`` and a ``Catch`` ending in ``States.ALL``; a
  Lambda task retries at least the transient errors asked for;
* retriers: ``MaxAttempts`` within the allowed range, ``IntervalSeconds`` at
  least 1, ``BackoffRate`` at least 1.0; ``States.ALL`` alone and last;
* every callback wait (``.waitForTaskToken``) has a positive ``TimeoutSeconds``
  or ``HeartbeatSeconds`` and passes ``$$.Task.Token`` to whoever resumes it;
* the states a workflow must show in its history exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

STATE_TYPES = frozenset({"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})
STATES_ALL = "States.ALL"
LAMBDA_RESOURCE = re.compile(r"^arn:aws[a-z-]*:(lambda:[a-z0-9-]+:\d{12}:function:|states:::lambda:invoke)")
WAIT_FOR_TOKEN = ".waitForTaskToken"  # noqa: S105 - a resource suffix, not a secret
TASK_TOKEN_PATH = "$$.Task.Token"  # noqa: S105 - a context object path, not a secret
UNDEFINED = re.compile(r"^'(?P<name>[^']+)' is undefined$")
NO_ATTRIBUTE = re.compile(r"has no attribute '(?P<name>[^']+)'")


class StateMachineDefinitionError(AnsibleFilterError):
    """The template or the definition breaks a rule; the message says which and where."""


# ---------------------------------------------------------------- rendering


def _plain(value: Any) -> Any:
    """A plain copy (dict, list, str, numbers) of what Ansible hands over (lazy or tagged containers)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def _paths(value: Any, path: str, found: dict[int, str]) -> None:
    """Remember where every mapping of the supplied variables sits, to name a missing key fully."""
    if isinstance(value, Mapping):
        found[id(value)] = path
        for key, item in value.items():
            _paths(item, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _paths(item, f"{path}[{index}]", found)


def render_state_machine(template_text: str, variables: Mapping[str, Any], template_name: str = "the template") -> dict:
    """Render ``template_text`` with ``variables`` only, and parse the result as JSON.

    Fails, naming the variable, when the template refers to one that is not
    supplied; fails, naming the line, when the result is not JSON.
    """
    from jinja2 import StrictUndefined
    from jinja2 import TemplateSyntaxError
    from jinja2 import Undefined
    from jinja2.exceptions import UndefinedError
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2.utils import missing

    if not isinstance(template_text, str):
        raise StateMachineDefinitionError(f"{template_name}: the template must be text")
    if not isinstance(variables, Mapping):
        raise StateMachineDefinitionError(f"{template_name}: the variables must be a mapping")
    variables = _plain(variables)
    paths: dict[int, str] = {}
    _paths(variables, "", paths)

    class NamedUndefined(StrictUndefined):
        """StrictUndefined whose message names the full path of what is missing."""

        __slots__ = ()

        @property
        def _undefined_message(self) -> str:
            if self._undefined_obj is missing:
                name = str(self._undefined_name)
            else:
                parent = paths.get(id(self._undefined_obj))
                name = (
                    f"{parent}.{self._undefined_name}" if parent else f"{self._undefined_name} (of an undeclared value)"
                )
            return f"'{name}' is undefined"

    def to_json(value: Any) -> str:
        def refuse(item: Any) -> Any:
            if isinstance(item, Undefined):
                item._fail_with_undefined_error()
            raise TypeError(f"{type(item).__name__} is not JSON serialisable")

        if isinstance(value, Undefined):
            value._fail_with_undefined_error()
        return json.dumps(value, default=refuse)

    environment = ImmutableSandboxedEnvironment(undefined=NamedUndefined, autoescape=False, keep_trailing_newline=True)
    environment.filters["json"] = to_json
    supplied = ", ".join(sorted(str(k) for k in variables)) or "nothing"
    try:
        rendered = environment.from_string(str(template_text)).render(variables)
    except UndefinedError as exc:
        match = UNDEFINED.match(str(exc)) or NO_ATTRIBUTE.search(str(exc))
        name = match["name"] if match else str(exc)
        raise StateMachineDefinitionError(
            f"{template_name} refers to {name}, which the renderer does not supply (it supplies: {supplied})"
        ) from None
    except TemplateSyntaxError as exc:
        raise StateMachineDefinitionError(f"{template_name} line {exc.lineno}: {exc.message}") from None
    try:
        document = json.loads(rendered)
    except ValueError as exc:
        lines = rendered.splitlines()
        line = lines[exc.lineno - 1].strip() if 0 < getattr(exc, "lineno", 0) <= len(lines) else ""
        raise StateMachineDefinitionError(
            f"{template_name} does not render to valid JSON: {exc.msg} at rendered line {exc.lineno} column {exc.colno}: {line}"
        ) from None
    if not isinstance(document, dict):
        raise StateMachineDefinitionError(f"{template_name} renders to JSON that is not an object")
    return document


# ---------------------------------------------------------------- validation


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mentions(value: Any, text: str) -> bool:
    if isinstance(value, str):
        return text in value
    if isinstance(value, Mapping):
        return any(_mentions(v, text) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, text) for v in value)
    return False


def _check_error_lists(where: str, items: Any, kind: str, problems: list[str]) -> list[dict]:
    if not isinstance(items, list) or not items:
        problems.append(f"{where}: {kind} must be a non-empty list")
        return []
    for index, item in enumerate(items):
        errors = item.get("ErrorEquals") if isinstance(item, Mapping) else None
        if not isinstance(errors, list) or not errors or not all(isinstance(e, str) and e for e in errors):
            problems.append(f"{where}: {kind}[{index}].ErrorEquals must be a non-empty list of error names")
            continue
        if STATES_ALL in errors and (len(errors) > 1 or index != len(items) - 1):
            problems.append(f"{where}: {kind}[{index}]: States.ALL must appear alone, in the last {kind} entry")
    return [i for i in items if isinstance(i, Mapping)]


def _check_retriers(where: str, retriers: list[dict], max_attempts_range: tuple[int, int], problems: list[str]) -> None:
    low, high = max_attempts_range
    for index, retrier in enumerate(retriers):
        label = f"{where}: Retry[{index}]"
        attempts = retrier.get("MaxAttempts", 3)
        if _as_int(attempts) is None or not low <= attempts <= high:
            problems.append(f"{label}.MaxAttempts must be an integer from {low} to {high}, got {attempts!r}")
        interval = retrier.get("IntervalSeconds", 1)
        if _as_int(interval) is None or interval < 1:
            problems.append(f"{label}.IntervalSeconds must be a positive integer, got {interval!r}")
        rate = retrier.get("BackoffRate", 2.0)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 1.0:
            problems.append(f"{label}.BackoffRate must be a number of at least 1.0, got {rate!r}")
        delay = retrier.get("MaxDelaySeconds")
        if delay is not None and (_as_int(delay) is None or delay < 1):
            problems.append(f"{label}.MaxDelaySeconds must be a positive integer, got {delay!r}")


def _targets(state: Mapping[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if "Next" in state:
        found.append(("Next", state["Next"]))
    if "Default" in state:
        found.append(("Default", state["Default"]))
    for index, choice in enumerate(state.get("Choices") or []):
        if isinstance(choice, Mapping):
            found.append((f"Choices[{index}].Next", choice.get("Next")))
    for index, catcher in enumerate(state.get("Catch") or []):
        if isinstance(catcher, Mapping):
            found.append((f"Catch[{index}].Next", catcher.get("Next")))
    return found


def state_machine_problems(
    definition: Any,
    required_states: Iterable[str] = (),
    retry_errors: Iterable[str] = (),
    max_attempts_range: tuple[int, int] = (0, 10),
) -> list[str]:
    """Every rule ``definition`` breaks, as sentences naming the state; empty when it is sound."""
    problems: list[str] = []
    definition = _plain(definition)
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError as exc:
            return [f"the definition is not valid JSON: {exc}"]
    if not isinstance(definition, Mapping):
        return ["the definition is not a JSON object"]
    states = definition.get("States")
    start = definition.get("StartAt")
    if not isinstance(states, Mapping) or not states:
        return ["the definition has no States"]
    if not isinstance(start, str) or start not in states:
        problems.append(f"StartAt {start!r} is not a state")
    timeout = definition.get("TimeoutSeconds")
    if timeout is not None and (_as_int(timeout) is None or timeout < 1):
        problems.append(f"the execution TimeoutSeconds must be a positive integer, got {timeout!r}")
    required_retry = [e for e in retry_errors if e]

    for name, state in states.items():
        where = f"state {name}"
        if not 1 <= len(name) <= 80:
            problems.append(f"{where}: a state name has 1 to 80 characters")
        if not isinstance(state, Mapping):
            problems.append(f"{where} is not an object")
            continue
        kind = state.get("Type")
        if kind not in STATE_TYPES:
            problems.append(f"{where}: Type {kind!r} is not one of {', '.join(sorted(STATE_TYPES))}")
            continue
        for label, target in _targets(state):
            if not isinstance(target, str) or target not in states:
                problems.append(f"{where}: {label} {target!r} is not a state")
        if kind in TERMINAL_TYPES:
            if "Next" in state or "End" in state:
                problems.append(f"{where}: a {kind} state ends the execution and has no Next or End")
        elif kind == "Choice":
            if not isinstance(state.get("Choices"), list) or not state["Choices"]:
                problems.append(f"{where}: a Choice state needs Choices")
            if "Default" not in state:
                problems.append(
                    f"{where}: a Choice state needs a Default (else an unmatched input fails the execution)"
                )
        elif ("Next" in state) == (state.get("End") is True):
            problems.append(f"{where}: needs exactly one of Next or End: true")

        if "Retry" in state:
            _check_retriers(
                where, _check_error_lists(where, state["Retry"], "Retry", problems), max_attempts_range, problems
            )
        if "Catch" in state:
            _check_error_lists(where, state["Catch"], "Catch", problems)
        if kind != "Task":
            continue
        resource = str(state.get("Resource", ""))
        retriers = state.get("Retry") if isinstance(state.get("Retry"), list) else []
        catchers = state.get("Catch") if isinstance(state.get("Catch"), list) else []
        if not retriers:
            problems.append(f"{where}: every Task needs a Retry")
        if not catchers or not isinstance(catchers[-1], Mapping) or catchers[-1].get("ErrorEquals") != [STATES_ALL]:
            problems.append(f"{where}: every Task needs a Catch whose last entry catches States.ALL")
        if LAMBDA_RESOURCE.match(resource) and required_retry:
            covered = {e for r in retriers if isinstance(r, Mapping) for e in r.get("ErrorEquals") or []}
            missing_errors = [e for e in required_retry if e not in covered and STATES_ALL not in covered]
            if missing_errors:
                problems.append(f"{where}: its Retry does not cover the transient errors {', '.join(missing_errors)}")
        if resource.endswith(WAIT_FOR_TOKEN):
            limits = [state.get(k) for k in ("TimeoutSeconds", "HeartbeatSeconds")]
            dynamic = any(
                isinstance(state.get(k), str) and state[k] for k in ("TimeoutSecondsPath", "HeartbeatSecondsPath")
            )
            if not dynamic and not any(_as_int(v) is not None and v > 0 for v in limits):
                problems.append(
                    f"{where}: a callback wait needs a positive TimeoutSeconds or HeartbeatSeconds "
                    f"(got TimeoutSeconds={limits[0]!r}, HeartbeatSeconds={limits[1]!r})"
                )
            for key in ("TimeoutSeconds", "HeartbeatSeconds"):
                value = state.get(key)
                if value is not None and (_as_int(value) is None or value < 1):
                    problems.append(f"{where}: {key} must be a positive integer, got {value!r}")
            if not _mentions(state.get("Parameters"), TASK_TOKEN_PATH):
                problems.append(f"{where}: a callback wait must pass {TASK_TOKEN_PATH} in its Parameters")

    if isinstance(start, str) and start in states:
        seen: set[str] = set()
        todo = [start]
        while todo:
            name = todo.pop()
            if name in seen or name not in states or not isinstance(states[name], Mapping):
                continue
            seen.add(name)
            todo.extend(t for _, t in _targets(states[name]) if isinstance(t, str))
        for name in states:
            if name not in seen:
                problems.append(f"state {name} is not reachable from StartAt {start}")
    for name in required_states:
        if name not in states:
            problems.append(f"the lifecycle state {name} is missing")
    return problems


def validate_state_machine(
    definition: Any,
    required_states: Iterable[str] = (),
    retry_errors: Iterable[str] = (),
    max_attempts_range: Iterable[int] = (0, 10),
) -> dict:
    """Return ``definition`` (as an object) when it is sound, else fail listing every problem."""
    low, high = list(max_attempts_range)
    problems = state_machine_problems(definition, required_states, retry_errors, (int(low), int(high)))
    if problems:
        raise StateMachineDefinitionError("the state machine definition is not valid:\n- " + "\n- ".join(problems))
    return json.loads(definition) if isinstance(definition, str) else _plain(definition)


class FilterModule:
    def filters(self):
        return {
            "render_state_machine": render_state_machine,
            "validate_state_machine": validate_state_machine,
        }
