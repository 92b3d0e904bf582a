"""CloudWatch Logs patches: saved Logs Insights queries and metric filter pattern tests.

moto 5.2.5 answers neither: the actions are missing from ``LogsResponse``, so
``BaseResponse.call_action`` raises NotImplementedError (HTTP 500). The monitoring role saves its
troubleshooting queries with PutQueryDefinition (found by name with DescribeQueryDefinitions first,
since PutQueryDefinition without an id always creates a new one), and its verify step proves each
metric filter with TestMetricFilter.
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
import uuid
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr

QUERY_LANGUAGES = ("CWLI", "SQL", "PPL")


@once
def query_definitions() -> None:
    """PutQueryDefinition, DescribeQueryDefinitions and DeleteQueryDefinition, as AWS answers them.

    AWS: PutQueryDefinition without ``queryDefinitionId`` creates a saved query and returns its new
    id (a second call with the same name creates a second query: names are not unique); with an id it
    replaces that query's name, query string and log groups, or answers ``ResourceNotFoundException``
    for an unknown id. DescribeQueryDefinitions lists them (filtered by
    ``queryDefinitionNamePrefix``, paginated by ``maxResults``/``nextToken``, at most 1000), each with
    ``queryDefinitionId``, ``name``, ``queryString``, ``logGroupNames``, ``lastModified`` (epoch
    milliseconds) and ``queryLanguage`` (``CWLI`` unless another language was given).
    DeleteQueryDefinition answers ``{"success": true}``, or ``ResourceNotFoundException`` for an unknown id.
    moto 5.2.5: none of the three actions exists in ``LogsResponse`` (moto/logs/responses.py), so
    ``BaseResponse.call_action`` raises NotImplementedError (moto/core/responses.py:483) and the
    server answers HTTP 500.
    Fix: the three actions, on a per-account, per-region dict kept on moto's ``LogsBackend``
    (created lazily, so a backend reset forgets the queries like every other logs resource).
    """
    from moto.logs.exceptions import InvalidParameterException
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def saved(backend: Any) -> dict[str, dict[str, Any]]:
        return backend.__dict__.setdefault("freelancer_query_definitions", {})

    def put_query_definition(self: LogsResponse) -> str:
        name = self._get_param("name")
        query_string = self._get_param("queryString")
        if not name or not query_string:
            raise InvalidParameterException(msg="name and queryString are required")
        language = self._get_param("queryLanguage") or "CWLI"
        if language not in QUERY_LANGUAGES:
            raise InvalidParameterException(
                constraint=f"Member must satisfy enum value set: {list(QUERY_LANGUAGES)}",
                parameter="queryLanguage",
                value=language,
            )
        queries = saved(self.logs_backend)
        query_id = self._get_param("queryDefinitionId")
        if query_id and query_id not in queries:
            raise ResourceNotFoundException(msg=f"Query definition {query_id} does not exist")
        query_id = query_id or str(uuid.uuid4())
        queries[query_id] = {
            "queryDefinitionId": query_id,
            "name": name,
            "queryString": query_string,
            "logGroupNames": list(self._get_param("logGroupNames") or []),
            "lastModified": int(time.time() * 1000),
            "queryLanguage": language,
        }
        return json.dumps({"queryDefinitionId": query_id})

    def describe_query_definitions(self: LogsResponse) -> str:
        prefix = self._get_param("queryDefinitionNamePrefix") or ""
        language = self._get_param("queryLanguage")
        limit = int(self._get_param("maxResults") or 1000)
        start = int(self._get_param("nextToken") or 0)
        found = [
            dict(q)
            for q in sorted(saved(self.logs_backend).values(), key=lambda q: (q["name"], q["queryDefinitionId"]))
            if q["name"].startswith(prefix) and (not language or q["queryLanguage"] == language)
        ]
        page = found[start : start + limit]
        answer: dict[str, Any] = {"queryDefinitions": page}
        if start + limit < len(found):
            answer["nextToken"] = str(start + limit)
        return json.dumps(answer)

    def delete_query_definition(self: LogsResponse) -> str:
        query_id = self._get_param("queryDefinitionId")
        if saved(self.logs_backend).pop(query_id, None) is None:
            raise ResourceNotFoundException(msg=f"Query definition {query_id} does not exist")
        return json.dumps({"success": True})

    set_attr(LogsResponse, "put_query_definition", put_query_definition)
    set_attr(LogsResponse, "describe_query_definitions", describe_query_definitions)
    set_attr(LogsResponse, "delete_query_definition", delete_query_definition)


# --- filter patterns -----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\()|(?P<rparen>\))|(?P<and>&&)|(?P<or>\|\|)
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<selector>\$(?:\.[A-Za-z0-9_@\-]+|\[\d+\])+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<keyword>IS\s+NULL|NOT\s+EXISTS|IS\s+TRUE|IS\s+FALSE)
      | (?P<star>\*)
      | (?P<word>[^\s()"]+)
    )""",
    re.VERBOSE,
)
_MISSING = object()


class FilterPatternError(ValueError):
    """A pattern the emulator cannot read (AWS answers InvalidParameterException)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise FilterPatternError(f"Invalid character(s) in term at position {position}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _select(document: Any, selector: str) -> Any:
    value = document
    for part in re.findall(r"\.([A-Za-z0-9_@\-]+)|\[(\d+)\]", selector):
        key, index = part
        if key:
            if not isinstance(value, dict) or key not in value:
                return _MISSING
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


class _JsonPattern:
    """``{ $.a = "x" && ($.n > 3 || $.b IS TRUE) }``: comparisons of selectors joined by && and ||."""

    def __init__(self, body: str) -> None:
        self.tokens = _tokens(body)
        self.position = 0
        self.selectors: list[str] = []
        self.tree = self._or()
        if self.position != len(self.tokens):
            raise FilterPatternError(f"Unexpected {self.tokens[self.position][1]!r} in the JSON filter pattern")

    def _peek(self) -> str:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else ""

    def _take(self, kind: str) -> str:
        if self._peek() != kind:
            found = self.tokens[self.position][1] if self.position < len(self.tokens) else "the end"
            raise FilterPatternError(f"Expected {kind} but found {found!r} in the JSON filter pattern")
        value = self.tokens[self.position][1]
        self.position += 1
        return value

    def _or(self) -> Any:
        node = self._and()
        while self._peek() == "or":
            self._take("or")
            node = ("or", node, self._and())
        return node

    def _and(self) -> Any:
        node = self._term()
        while self._peek() == "and":
            self._take("and")
            node = ("and", node, self._term())
        return node

    def _term(self) -> Any:
        if self._peek() == "lparen":
            self._take("lparen")
            node = self._or()
            self._take("rparen")
            return node
        selector = self._take("selector")
        self.selectors.append(selector)
        if self._peek() == "keyword":
            return ("keyword", selector, " ".join(self._take("keyword").split()))
        op = self._take("op")
        kind = self._peek()
        if kind == "string":
            raw = self._take("string")
            return ("string", selector, op, json.loads(raw))
        if kind == "number":
            return ("number", selector, op, float(self._take("number")))
        if kind == "star":
            self._take("star")
            return ("string", selector, op, "*")
        if kind == "word":
            return ("string", selector, op, self._take("word"))
        raise FilterPatternError(f"Expected a value after {selector} {op}")

    def matches(self, document: Any) -> bool:
        return self._evaluate(self.tree, document)

    def _evaluate(self, node: Any, document: Any) -> bool:
        kind = node[0]
        if kind == "or":
            return self._evaluate(node[1], document) or self._evaluate(node[2], document)
        if kind == "and":
            return self._evaluate(node[1], document) and self._evaluate(node[2], document)
        value = _select(document, node[1])
        if kind == "keyword":
            return {
                "IS NULL": value is None,
                "NOT EXISTS": value is _MISSING,
                "IS TRUE": value is True,
                "IS FALSE": value is False,
            }[node[2]]
        if value is _MISSING:
            return False
        op, wanted = node[2], node[3]
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            return {
                "=": value == wanted,
                "!=": value != wanted,
                ">": value > wanted,
                "<": value < wanted,
                ">=": value >= wanted,
                "<=": value <= wanted,
            }[op]
        if op not in ("=", "!="):
            raise FilterPatternError(f"{op} compares numbers only")
        if isinstance(value, (dict, list)):
            return False
        equal = fnmatch.fnmatchcase(_as_text(value), wanted)
        return equal if op == "=" else not equal

    def extracted(self, document: Any) -> dict[str, str]:
        found = {}
        for selector in self.selectors:
            value = _select(document, selector)
            if value is not _MISSING and value is not None and not isinstance(value, (dict, list)):
                found[selector] = _as_text(value)
        return found


class _TermPattern:
    """``ERROR "two words" -DEBUG`` (all terms, none of the excluded) or ``?ERROR ?WARN`` (any term)."""

    def __init__(self, pattern: str) -> None:
        self.required: list[str] = []
        self.excluded: list[str] = []
        self.optional: list[str] = []
        for match in re.finditer(r'([?-]?)("(?:[^"\\]|\\.)*"|\S+)', pattern):
            sign, term = match.groups()
            term = json.loads(term) if term.startswith('"') else term
            {"": self.required, "-": self.excluded, "?": self.optional}[sign].append(term)

    def matches(self, message: str) -> bool:
        if self.optional and not any(term in message for term in self.optional):
            return False
        return all(term in message for term in self.required) and not any(term in message for term in self.excluded)


def evaluate_filter_pattern(pattern: str, message: str) -> tuple[bool, dict[str, str]]:
    """Whether a CloudWatch Logs filter pattern matches a log event, and the values it extracts.

    Supported: the empty pattern, terms (plain, quoted, ``?`` any-of, ``-`` excluded) and JSON patterns
    with ``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``, ``*`` wildcards in strings, ``IS NULL``,
    ``NOT EXISTS``, ``IS TRUE``, ``IS FALSE``, ``&&``, ``||`` and parentheses. Space-delimited
    (``[a, b, ...]``) and regular-expression (``%...%``) patterns raise :class:`FilterPatternError`.
    """
    text = pattern.strip()
    if not text:
        return True, {}
    if text.startswith("{"):
        if not text.endswith("}"):
            raise FilterPatternError("A JSON filter pattern must end with }")
        json_pattern = _JsonPattern(text[1:-1])
        try:
            document = json.loads(message)
        except ValueError:
            return False, {}
        if not json_pattern.matches(document):
            return False, {}
        return True, json_pattern.extracted(document)
    if text.startswith("[") or text.startswith("%"):
        raise FilterPatternError(
            "Space-delimited and regular-expression filter patterns are not supported by the emulator"
        )
    return _TermPattern(text).matches(message), {}


@once
def metric_filter_pattern_test() -> None:
    """TestMetricFilter evaluates a filter pattern against sample log event messages.

    AWS: ``TestMetricFilter(filterPattern, logEventMessages)`` returns ``matches``: for each message
    the pattern matches, ``eventNumber`` (1-based), ``eventMessage`` and ``extractedValues`` (for a
    JSON pattern, each selector of the pattern with its value in that event, as text); a pattern it
    cannot parse answers ``InvalidParameterException``.
    moto 5.2.5: the action does not exist in ``LogsResponse`` (moto/logs/responses.py), so
    ``BaseResponse.call_action`` raises NotImplementedError (moto/core/responses.py:483), HTTP 500;
    and moto's own filter matcher treats every pattern that does not start with a letter or a quote,
    JSON patterns included, as matching everything (moto/logs/utils.py:35-37).
    Fix: the action, with an evaluator of the JSON and term pattern syntax (space-delimited and
    regular-expression patterns are refused with InvalidParameterException rather than guessed).
    """
    from moto.logs.exceptions import InvalidParameterException
    from moto.logs.responses import LogsResponse

    def test_metric_filter(self: LogsResponse) -> str:
        pattern = self._get_param("filterPattern")
        messages = self._get_param("logEventMessages") or []
        if pattern is None or not 1 <= len(messages) <= 50:
            raise InvalidParameterException(msg="filterPattern and 1 to 50 logEventMessages are required")
        matches = []
        for number, message in enumerate(messages, start=1):
            try:
                matched, values = evaluate_filter_pattern(pattern, message)
            except FilterPatternError as error:
                raise InvalidParameterException(msg=f"Invalid metric filter pattern: {error}") from error
            if matched:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": values})
        return json.dumps({"matches": matches})

    set_attr(LogsResponse, "test_metric_filter", test_metric_filter)


PATCHES = [query_definitions, metric_filter_pattern_test]
