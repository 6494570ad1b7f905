"""Canary analysis: the checks that gate a canary step.

A step's analysis holds PromQL queries with thresholds (a success rate, a latency
quantile, or any query) asked of a Prometheus over its HTTP API, and an HTTP check (a
URL that must answer 2xx) for services without Prometheus. :func:`run_analysis` asks them
at an interval for the step's pause; the first failure stops it with
:class:`AnalysisFailed`, naming the step, the check, the value and the threshold. A
Prometheus that cannot be reached, or a query with no data, fails too: the release
stops rather than promoting a canary nobody measured.
"""

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from ... import _grammar as grammar
from ..._fields import Fields

DEFAULTS: dict[str, Any] = {
    "canary.steps.analysis.interval": "10s",
    "canary.steps.analysis.window": "1m",
    "canary.steps.analysis.request_metric": "http_requests_total",
    "canary.steps.analysis.status_label": "code",
    "canary.steps.analysis.latency_metric": "http_request_duration_seconds",
    "canary.steps.analysis.latency_quantile": 0.99,
}
"""Defaults of the analysis fields (the request metric is the one monitoring names)."""

QUERY_TIMEOUT_SECONDS = 5.0
"""How long one query or HTTP check may take."""


class AnalysisQueryArgs(TypedDict):
    """A PromQL query whose value must stay within bounds."""

    name: pulumi.Input[str]
    """What the query measures, for messages, e.g. "queue depth"."""
    query: pulumi.Input[str]
    """The PromQL query; its first sample is compared."""
    max: NotRequired[pulumi.Input[float]]
    """The value must be at most this."""
    min: NotRequired[pulumi.Input[float]]
    """The value must be at least this."""


class AnalysisArgs(TypedDict):
    """Checks that gate a canary step, asked at an interval during its pause."""

    prometheus_url: NotRequired[pulumi.Input[str]]
    """Base URL of the Prometheus the queries are asked of, e.g.
    "http://prometheus.monitoring:9090" (needed by any query)."""
    success_rate_percent: NotRequired[pulumi.Input[float]]
    """Least share of the canary's requests that may not answer 5xx."""
    max_latency_ms: NotRequired[pulumi.Input[float]]
    """Largest ``latency_quantile`` of the canary's request latency, in milliseconds."""
    latency_quantile: NotRequired[pulumi.Input[float]]
    """Quantile ``max_latency_ms`` applies to."""
    request_metric: NotRequired[pulumi.Input[str]]
    """Request counter the success rate is computed from."""
    status_label: NotRequired[pulumi.Input[str]]
    """Label of ``request_metric`` holding the HTTP status code."""
    latency_metric: NotRequired[pulumi.Input[str]]
    """Histogram (without ``_bucket``) the latency quantile is computed from."""
    window: NotRequired[pulumi.Input[str]]
    """Range of the rates, e.g. "1m"."""
    queries: NotRequired[pulumi.Input[Sequence[pulumi.Input[AnalysisQueryArgs]]]]
    """Any other queries, with their bounds."""
    http_check: NotRequired[pulumi.Input[str]]
    """A URL that must answer 2xx at every interval (no Prometheus needed)."""
    interval: NotRequired[pulumi.Input[str]]
    """How often the checks run during the pause."""


@dataclass(frozen=True)
class Query:
    """One query and its bounds."""

    name: str
    promql: str
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        bounds = [f">= {self.minimum:g}"] if self.minimum is not None else []
        bounds += [f"<= {self.maximum:g}"] if self.maximum is not None else []
        return f"{self.name} {' and '.join(bounds)}"

    def violation(self, value: float) -> str | None:
        """Why ``value`` fails the bounds, or None when it passes."""
        if math.isnan(value):
            return "is NaN (no requests in the window?)"
        if self.minimum is not None and value < self.minimum:
            return f"is {value:g}, below the minimum {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"is {value:g}, above the maximum {self.maximum:g}"
        return None


@dataclass(frozen=True)
class AnalysisSpec:
    """A step's checks, validated."""

    prometheus_url: str | None
    queries: tuple[Query, ...]
    http_check: str | None
    interval_seconds: float

    def describe(self) -> tuple[str, ...]:
        checks = tuple(q.describe() for q in self.queries)
        return checks + ((f"{self.http_check} answers 2xx",) if self.http_check else ())


def canary_selector(service: str, namespace: str | None) -> str:
    """The labels that pick the canary's series: its own Service's (``<name>-canary``)."""
    where = f'namespace="{namespace}",' if namespace else ""
    return f'{where}service="{service}-canary"'


def read_analysis(a: Fields, service: str, namespace: str | None) -> AnalysisSpec:
    """A step's ``analysis``; the ready-made queries use the metrics monitoring names."""
    selector = canary_selector(service, namespace)
    window = a.text("window", DEFAULTS["canary.steps.analysis.window"])
    _duration(a, "window", window)
    metric = a.text("request_metric", DEFAULTS["canary.steps.analysis.request_metric"])
    code = a.text("status_label", DEFAULTS["canary.steps.analysis.status_label"])
    queries: list[Query] = []
    success = _number(a, "success_rate_percent", 0, 100)
    if success is not None:
        ok = f'sum(rate({metric}{{{selector},{code}!~"5.."}}[{window}]))'
        total = f"sum(rate({metric}{{{selector}}}[{window}]))"
        queries.append(Query("success rate %", f"100 * {ok} / {total}", minimum=success))
    latency = _number(a, "max_latency_ms", 0, None)
    if latency is not None:
        histogram = a.text("latency_metric", DEFAULTS["canary.steps.analysis.latency_metric"])
        quantile = _number(a, "latency_quantile", 0, 1)
        if quantile is None:
            quantile = DEFAULTS["canary.steps.analysis.latency_quantile"]
        promql = (
            f"1000 * histogram_quantile({quantile:g}, sum by (le) "
            f"(rate({histogram}_bucket{{{selector}}}[{window}])))"
        )
        queries.append(Query(f"p{quantile * 100:g} latency ms", promql, maximum=latency))
    for q in a.sections("queries", AnalysisQueryArgs):
        minimum, maximum = _number(q, "min", None, None), _number(q, "max", None, None)
        if minimum is None and maximum is None:
            raise q.fail("max", None, "or min is required: a query needs a bound")
        queries.append(Query(q.required_text("name"), q.required_text("query"), minimum, maximum))
    url = a.optional_text("prometheus_url")
    if url is not None:
        _url(a, "prometheus_url", url)
    elif queries:
        raise a.fail("prometheus_url", None, "is required to ask the queries")
    check = a.optional_text("http_check")
    if check is not None:
        _url(a, "http_check", check)
    if not queries and check is None:
        raise a.fail(
            "success_rate_percent",
            None,
            "or max_latency_ms, queries or http_check is required: an analysis checks something",
        )
    interval = a.text("interval", DEFAULTS["canary.steps.analysis.interval"])
    _duration(a, "interval", interval)
    return AnalysisSpec(
        url, tuple(queries), check, max(grammar.gateway_duration_seconds(interval), 0.1)
    )


def _number(f: Fields, key: str, low: float | None, high: float | None) -> float | None:
    value = f.known(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise f.fail(key, value, "must be a number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise f.fail(key, value, f"must be from {low:g} to {high:g}" if high else "must be >= 0")
    return float(value)


def _duration(f: Fields, key: str, value: str) -> None:
    if not grammar.is_gateway_duration(value):
        raise f.fail(key, value, 'must be a duration such as "10s" or "1m"')


def _url(f: Fields, key: str, value: str) -> None:
    parsed = urllib.parse.urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise f.fail(key, value, "must be an http:// or https:// URL")


# -- running -------------------------------------------------------------------------------


class AnalysisFailed(Exception):
    """A check failed (or could not be asked): the release must abort."""


class PrometheusError(Exception):
    """Prometheus could not be asked, or answered no usable value."""


def prometheus_value(base_url: str, promql: str, timeout: float = QUERY_TIMEOUT_SECONDS) -> float:
    """The first sample of an instant query (``/api/v1/query``)."""
    url = f"{base_url.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            body = json.load(answer)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise PrometheusError(f"Prometheus at {base_url} cannot be asked ({error})") from None
    if body.get("status") != "success":
        raise PrometheusError(f"Prometheus refused the query: {body.get('error', body)}")
    result = body.get("data", {}).get("result")
    if isinstance(result, list):
        if not result:
            raise PrometheusError("the query returned no data")
        sample = result[0].get("value")
    else:
        sample = result
    try:
        return float(sample[1])
    except (TypeError, ValueError, IndexError):
        raise PrometheusError(f"the query returned no number ({sample!r})") from None


def http_status(url: str, timeout: float = QUERY_TIMEOUT_SECONDS) -> int:
    """The status of a GET of ``url`` (0 when it cannot be reached)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return 0


def check_once(
    step: int,
    spec: AnalysisSpec,
    ask: Callable[[str, str], float] = prometheus_value,
    get: Callable[[str], int] = http_status,
) -> None:
    """Every check of ``spec`` once; raises :class:`AnalysisFailed` at the first failure."""
    where = f"step {step + 1}"
    for query in spec.queries:
        assert spec.prometheus_url is not None  # read_analysis requires it with queries
        try:
            value = ask(spec.prometheus_url, query.promql)
        except PrometheusError as error:
            raise AnalysisFailed(f"{where}: {query.name}: {error}; query: {query.promql}") from None
        problem = query.violation(value)
        if problem is not None:
            raise AnalysisFailed(f"{where}: {query.name} {problem}; query: {query.promql}")
    if spec.http_check is not None:
        status = get(spec.http_check)
        if not 200 <= status < 300:
            answer = f"answered {status}" if status else "could not be reached"
            raise AnalysisFailed(f"{where}: http check {spec.http_check} {answer} (expected 2xx)")


def run_analysis(
    step: int,
    spec: AnalysisSpec,
    pause_seconds: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    ask: Callable[[str, str], float] = prometheus_value,
    get: Callable[[str], int] = http_status,
) -> int:
    """The checks at every ``interval`` for ``pause_seconds`` (at least once); returns how
    many rounds ran. Raises :class:`AnalysisFailed` at the first failure."""
    deadline = clock() + pause_seconds
    rounds = 0
    while True:
        sleep_until = min(clock() + spec.interval_seconds, deadline)
        check_once(step, spec, ask, get)
        rounds += 1
        if clock() >= deadline:
            return rounds
        sleep(max(0.0, sleep_until - clock()))
        if clock() >= deadline:
            check_once(step, spec, ask, get)
            return rounds + 1
