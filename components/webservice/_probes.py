"""Readiness, liveness and startup probes of any kind (http, tcp, grpc, exec).

The default readiness probe follows the main port's ``app_protocol``: a gRPC server
answers an HTTP/1.1 GET with a protocol error and Redis does not speak HTTP at all, so
an HTTP probe would keep such pods unready on a real kubelet (kwok runs no probes).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

import pulumi
from typing_extensions import NotRequired

from .. import _grammar as grammar
from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields, checked, is_deferred
from ._ports import PortSpec

_PROBE_TIMING = {
    "initial_delay_seconds": 0,
    "period_seconds": 10,
    "timeout_seconds": 2,
    "failure_threshold": 3,
    "success_threshold": 1,
}

_K8S = {"period_seconds": 10, "timeout_seconds": 1, "failure_threshold": 3}

DEFAULTS: dict[str, Any] = {
    "probes.readiness.kind": Computed(
        "follows app_protocol: http for http/https/http2, grpc for grpc, tcp for tcp; "
        "none for a worker"
    ),
    "probes.readiness.path": "/",
    "probes.liveness.kind": Computed(
        "the readiness check (kind, port, path); http when liveness_path is set; none for a worker"
    ),
    "probes.startup.kind": Computed("the liveness check"),
    **{f"probes.readiness.{k}": v for k, v in _PROBE_TIMING.items()},
    **{f"probes.liveness.{k}": v for k, v in _PROBE_TIMING.items()},
    "probes.liveness.failure_threshold": Computed(
        "twice the readiness failure threshold (3 when you write the liveness probe)"
    ),
    **{f"probes.startup.{k}": v for k, v in _PROBE_TIMING.items()},
    "probes.startup.period_seconds": 5,
    "probes.startup.failure_threshold": 30,
    **{
        f"probes.{which}.{key}": Computed(
            f"{value} ({_K8S[key]}, Kubernetes' default, when you write this probe)"
        )
        for which in ("readiness", "liveness", "startup")
        for key, value in (
            ("period_seconds", 5 if which == "startup" else 10),
            ("timeout_seconds", 2),
            ("failure_threshold", 30 if which == "startup" else 3),
        )
        if value != _K8S[key]
    },
    "probes.readiness.port": Computed("the main port (port_name)"),
    "probes.liveness.port": Computed("the readiness probe's port, else the main port"),
    "probes.startup.port": Computed("the liveness probe's port"),
    "probes.readiness_path": "/",
    "probes.period_seconds": 10,
    "probes.timeout_seconds": 2,
    "probes.failure_threshold": 3,
    "probes.startup_period_seconds": 5,
    "probes.startup_failure_threshold": 30,
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class ProbeArgs(TypedDict):
    """One probe (readiness, liveness or startup) of the main container."""

    kind: NotRequired[pulumi.Input[str]]
    """"http" | "tcp" | "grpc" | "exec" | "none" ("none": no probe of this kind)."""
    path: NotRequired[pulumi.Input[str]]
    """HTTP path (kind http), e.g. "/ready"."""
    port: NotRequired[pulumi.Input[str]]
    """Name of the port to probe (the main port's ``port_name`` or one of ``ports``)."""
    http_headers: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra request headers (kind http), e.g. {"Host": "api.example.com"}."""
    grpc_service: NotRequired[pulumi.Input[str]]
    """Service name sent in the gRPC health check request (kind grpc); empty checks the
    whole server."""
    command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Command run in the container (kind exec); exit status 0 is healthy."""
    initial_delay_seconds: NotRequired[pulumi.Input[int]]
    """Seconds after the container starts before the first probe."""
    period_seconds: NotRequired[pulumi.Input[int]]
    """Seconds between probes."""
    timeout_seconds: NotRequired[pulumi.Input[int]]
    """Seconds before one probe counts as failed."""
    failure_threshold: NotRequired[pulumi.Input[int]]
    """Consecutive failures before the probe fails."""
    success_threshold: NotRequired[pulumi.Input[int]]
    """Consecutive successes before it passes again (must be 1 for liveness and startup)."""


class ProbesArgs(TypedDict):
    """Health probes of the main container.

    ``readiness``, ``liveness`` and ``startup`` each take a :class:`ProbeArgs`. The older
    flat keys (``readiness_path``, ``period_seconds``, ...) still work and act as the
    defaults of those sections."""

    readiness: NotRequired[pulumi.Input[ProbeArgs]]
    """Is the pod ready for traffic? By default it follows ``app_protocol``: an HTTP GET
    for http/https/http2, a gRPC health check for grpc, a TCP connect for tcp."""
    liveness: NotRequired[pulumi.Input[ProbeArgs]]
    """Is the process stuck? By default a TCP connect to the main port, with twice the
    readiness failure threshold, so a slow dependency never restarts the pod."""
    startup: NotRequired[pulumi.Input[ProbeArgs]]
    """Has the process started? Holds back the other probes; period x failure threshold
    is the start-up budget. By default the same check as liveness."""
    readiness_path: NotRequired[pulumi.Input[str]]
    """HTTP path that answers 2xx when the pod can take traffic (same as
    ``readiness.path``)."""
    liveness_path: NotRequired[pulumi.Input[str]]
    """HTTP path for the liveness probe (makes liveness and startup HTTP GETs)."""
    period_seconds: NotRequired[pulumi.Input[int]]
    """How often readiness and liveness run."""
    timeout_seconds: NotRequired[pulumi.Input[int]]
    """Probe timeout of all three probes."""
    failure_threshold: NotRequired[pulumi.Input[int]]
    """Failures before readiness fails (liveness uses twice this)."""
    startup_period_seconds: NotRequired[pulumi.Input[int]]
    """Startup probe period."""
    startup_failure_threshold: NotRequired[pulumi.Input[int]]
    """Startup probe failures allowed (period x threshold = start-up budget)."""


PROBES = ("readiness", "liveness", "startup")

# Which ProbeArgs fields apply to which kind (the timing fields apply to all).
_KIND_FIELDS = {
    "path": ("http",),
    "http_headers": ("http",),
    "port": ("http", "tcp", "grpc"),
    "grpc_service": ("grpc",),
    "command": ("exec",),
}
KUBERNETES_PROBE_DEFAULTS = {
    "period_seconds": 10,
    "timeout_seconds": 1,
    "failure_threshold": 3,
    "success_threshold": 1,
}
"""Kubernetes' own probe timings: a probe the user writes takes these for what it leaves out."""

_DEFAULT_KIND = {"http": "http", "https": "http", "http2": "http", "grpc": "grpc", "tcp": "tcp"}


@dataclass(frozen=True)
class ProbeSpec:
    """One probe, ready to render."""

    kind: str
    """"http", "tcp", "grpc" or "exec"."""
    port: PortSpec | None = None
    path: pulumi.Input[str] | None = None
    http_headers: pulumi.Input[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    grpc_service: pulumi.Input[str] | None = None
    command: list[pulumi.Input[str]] | None = None
    timing: Mapping[str, pulumi.Input[int] | None] = field(default_factory=dict)

    def action(self) -> dict[str, Any]:
        """The handler part of the probe (httpGet, tcpSocket, grpc or exec)."""
        if self.kind == "exec":
            return {"exec": {"command": list(self.command or [])}}
        assert self.port is not None
        if self.kind == "tcp":
            return {"tcpSocket": {"port": self.port.name}}
        if self.kind == "grpc":
            # grpc.port is an int32 in the API: a port name is not accepted.
            grpc: dict[str, Any] = {"port": self.port.port}
            if self.grpc_service is not None:
                grpc["service"] = self.grpc_service
            return {"grpc": grpc}
        get: dict[str, Any] = {"path": self.path, "port": self.port.name}
        if self.port.app_protocol == "https":
            get["scheme"] = "HTTPS"
        if is_deferred(self.http_headers):
            get["httpHeaders"] = pulumi.Output.from_input(self.http_headers).apply(_header_list)
        elif self.http_headers:
            get["httpHeaders"] = _header_list(cast(Mapping[str, Any], self.http_headers))
        return {"httpGet": get}

    def manifest(self) -> dict[str, Any]:
        body = self.action()
        for key, api_key in (
            ("initial_delay_seconds", "initialDelaySeconds"),
            ("period_seconds", "periodSeconds"),
            ("timeout_seconds", "timeoutSeconds"),
            ("failure_threshold", "failureThreshold"),
            ("success_threshold", "successThreshold"),
        ):
            value = self.timing.get(key)
            if value is not None:
                body[api_key] = value
        return body


@dataclass(frozen=True)
class ProbesSpec:
    readiness: ProbeSpec | None
    liveness: ProbeSpec | None
    startup: ProbeSpec | None

    def manifest(self) -> dict[str, Any]:
        """The container fields readinessProbe, livenessProbe and startupProbe that apply."""
        out = {}
        for which in PROBES:
            probe = getattr(self, which)
            if probe is not None:
                out[f"{which}Probe"] = probe.manifest()
        return out


def _following(probe: ProbeSpec | None, liveness_path: pulumi.Input[str] | None) -> dict[str, Any]:
    """The defaults liveness takes from the probe it follows (readiness), if any."""
    return {
        "default_path": liveness_path if liveness_path is not None else _path_of(probe),
        "default_port": probe.port if probe is not None else None,
        "default_command": probe.command if probe is not None else None,
        "default_headers": probe.http_headers if probe is not None else None,
        "default_grpc_service": probe.grpc_service if probe is not None else None,
    }


def read(
    r: Fields,
    ports: Mapping[str, PortSpec],
    main: PortSpec | None,
    app_protocol: str,
) -> ProbesSpec:
    """The three probes from ``probes``, with defaults that follow the main port.

    Liveness follows readiness' check (kind, port, path) unless it is set. A probe the
    user writes takes Kubernetes' own timings for what it leaves out (the flat keys,
    when set, still come first); only the probes Moorage adds use Moorage's timings
    (see :data:`KUBERNETES_DIFFERENCES`)."""
    p = r.nested_or_empty("probes", ProbesArgs)
    sections = {which: p.nested_or_empty(which, ProbeArgs) for which in PROBES}
    _no_double(p, sections["readiness"], "readiness_path", "path")
    _no_double(p, sections["liveness"], "liveness_path", "path")
    _no_double(p, sections["startup"], "startup_period_seconds", "period_seconds")
    _no_double(p, sections["startup"], "startup_failure_threshold", "failure_threshold")

    readiness_path = p.value("readiness_path", DEFAULTS["probes.readiness_path"], rule.http_path)
    liveness_path = p.optional("liveness_path", rule.http_path)
    period = p.value("period_seconds", DEFAULTS["probes.period_seconds"], rule.positive_int)
    timeout = p.value("timeout_seconds", DEFAULTS["probes.timeout_seconds"], rule.positive_int)
    failures = p.value("failure_threshold", DEFAULTS["probes.failure_threshold"], _doubled_int32)
    flat = {k: p.present(k) for k in ("period_seconds", "timeout_seconds", "failure_threshold")}

    default_kind = "none" if main is None else _DEFAULT_KIND[app_protocol]
    readiness = _probe(
        sections["readiness"],
        "readiness",
        ports,
        main,
        default_kind=default_kind,
        default_path=readiness_path,
        timing=_section_timing(
            sections["readiness"],
            {
                "period_seconds": (period, flat["period_seconds"]),
                "timeout_seconds": (timeout, flat["timeout_seconds"]),
                "failure_threshold": (failures, flat["failure_threshold"]),
                "success_threshold": (DEFAULTS["probes.readiness.success_threshold"], False),
            },
        ),
    )
    ready_failures: pulumi.Input[int] = failures
    if readiness is not None and readiness.timing.get("failure_threshold") is not None:
        ready_failures = cast(pulumi.Input[int], readiness.timing["failure_threshold"])
    alive_kind, alive_from = _liveness_default(readiness, main, liveness_path)
    liveness = _probe(
        sections["liveness"],
        "liveness",
        ports,
        main,
        default_kind=alive_kind,
        **_following(alive_from, liveness_path),
        timing=_section_timing(
            sections["liveness"],
            {
                "period_seconds": (period, flat["period_seconds"]),
                "timeout_seconds": (timeout, flat["timeout_seconds"]),
                # Liveness tolerates twice the failures of readiness: a busy pod is taken
                # out of rotation long before it is restarted.
                "failure_threshold": (
                    _doubled(failures if flat["failure_threshold"] else ready_failures),
                    flat["failure_threshold"],
                ),
            },
        ),
    )
    s = sections["startup"]
    startup = _probe(
        s,
        "startup",
        ports,
        main,
        default_kind=liveness.kind if liveness is not None else "none",
        default_path=liveness.path if liveness is not None else liveness_path,
        default_port=liveness.port if liveness is not None else None,
        default_command=liveness.command if liveness is not None else None,
        default_headers=liveness.http_headers if liveness is not None else None,
        default_grpc_service=liveness.grpc_service if liveness is not None else None,
        timing=_section_timing(
            s,
            {
                "period_seconds": (
                    p.value(
                        "startup_period_seconds",
                        DEFAULTS["probes.startup_period_seconds"],
                        rule.positive_int,
                    ),
                    p.present("startup_period_seconds"),
                ),
                "timeout_seconds": (timeout, flat["timeout_seconds"]),
                "failure_threshold": (
                    p.value(
                        "startup_failure_threshold",
                        DEFAULTS["probes.startup_failure_threshold"],
                        rule.positive_int,
                    ),
                    p.present("startup_failure_threshold"),
                ),
            },
        ),
    )
    return ProbesSpec(readiness, liveness, startup)


def _liveness_default(
    readiness: ProbeSpec | None, main: PortSpec | None, liveness_path: Any
) -> tuple[str, ProbeSpec | None]:
    """Liveness' default kind, and the probe whose check it repeats (readiness, if any).

    With no main port (a worker, a sidecar) there is no liveness probe unless it is set."""
    if main is None:
        return "none", None
    if liveness_path is not None:
        return "http", readiness if readiness is not None and readiness.kind == "http" else None
    if readiness is not None:
        return readiness.kind, readiness
    return "tcp", None


def _path_of(probe: ProbeSpec | None) -> pulumi.Input[str] | None:
    return probe.path if probe is not None else None


def written(section: Fields) -> bool:
    """Did the user write this probe section (any of its keys)?"""
    return any(section.present(key) for key in ProbeArgs.__annotations__)


def _section_timing(section: Fields, moorage: Mapping[str, tuple[Any, bool]]) -> dict[str, Any]:
    """The fallback timings of one probe: ``moorage`` maps each timing to (Moorage's
    default, whether the user set it through a flat key). A probe the user wrote takes
    Kubernetes' default for every timing they set nowhere."""
    if not written(section):
        return {key: value for key, (value, _) in moorage.items()}
    return {
        key: value if from_flat_key else KUBERNETES_PROBE_DEFAULTS[key]
        for key, (value, from_flat_key) in moorage.items()
    }


def _no_double(p: Fields, section: Fields, flat: str, key: str) -> None:
    """The flat key and the nested one say the same thing: set only one."""
    if p.present(flat) and section.present(key):
        raise section.fail(key, section.raw(key), f"cannot be set together with {p.field(flat)}")


def _probe(
    s: Fields,
    which: str,
    ports: Mapping[str, PortSpec],
    main: PortSpec | None,
    *,
    default_kind: str,
    default_path: pulumi.Input[str] | None,
    timing: dict[str, Any],
    default_port: PortSpec | None = None,
    default_command: list[pulumi.Input[str]] | None = None,
    default_headers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
    default_grpc_service: pulumi.Input[str] | None = None,
) -> ProbeSpec | None:
    kind = _kind(s, default_kind)
    if kind == "none":
        return None
    port = _port(s, ports, main, default_port, kind) if kind in ("http", "tcp", "grpc") else None
    path = None
    if kind == "http":
        path = s.value("path", default_path or DEFAULTS["probes.readiness.path"], rule.http_path)
    return ProbeSpec(
        kind=kind,
        port=port,
        path=path,
        http_headers=_headers(s, kind, default_headers),
        grpc_service=s.optional("grpc_service", _text)
        if s.present("grpc_service")
        else (default_grpc_service if kind == "grpc" else None),
        command=_exec_command(s, default_command) if kind == "exec" else None,
        timing=_timing(s, which, timing),
    )


def _kind(s: Fields, default_kind: str) -> str:
    """The probe's kind; fields of other kinds are refused."""
    kind = s.text("kind", default_kind)
    rule.one_of(s.component, s.field("kind"), kind, rule.PROBE_KINDS)
    for key, kinds in _KIND_FIELDS.items():
        if s.present(key) and kind not in kinds:
            raise s.fail(
                key, s.raw(key), f"only applies to kind {' or '.join(kinds)} (kind is {kind})"
            )
    return kind


def _exec_command(
    s: Fields, default_command: list[pulumi.Input[str]] | None
) -> list[pulumi.Input[str]]:
    given = s.strings("command", "the probe's command is validated up front")
    command = given or default_command
    if not command:
        raise s.fail(
            "command",
            None,
            "is required with kind exec: the command to run in the container, e.g. "
            '["redis-cli", "ping"] (exit status 0 is healthy)',
        )
    return command


def _headers(
    s: Fields, kind: str, default_headers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None
) -> pulumi.Input[Mapping[str, pulumi.Input[str]]]:
    """The probe's headers (the mapping or its values may be Outputs), checked."""
    headers = s.raw("http_headers", {})
    if is_deferred(headers):
        return checked(headers, lambda resolved: _checked_headers(s, resolved))
    headers = _checked_headers(s, headers)
    if kind == "http" and not headers and default_headers:
        return default_headers
    return headers


def _checked_headers(s: Fields, headers: object) -> dict[str, Any]:
    """Header names as the API server wants them; values strings (or Outputs of them)."""
    if not isinstance(headers, Mapping):
        raise s.fail("http_headers", headers, f"must be a mapping, not {type(headers).__name__}")
    return {
        rule.probe_header_name(s.component, s.field(f"http_headers.{name}"), name): checked(
            value, s.item_check(rule.text, f"http_headers.{name}")
        )
        for name, value in headers.items()
    }


def _header_list(headers: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"name": k, "value": v} for k, v in sorted(headers.items())]


def _timing(s: Fields, which: str, timing: dict[str, Any]) -> dict[str, Any]:
    """Delay, period, timeout and thresholds: the probe's own, else the section's defaults."""
    resolved: dict[str, Any] = {}
    for key, fallback in {
        "initial_delay_seconds": None,
        "period_seconds": timing.get("period_seconds"),
        "timeout_seconds": timing.get("timeout_seconds"),
        "failure_threshold": timing.get("failure_threshold"),
        "success_threshold": timing.get("success_threshold"),
    }.items():
        check = rule.non_negative_int if key == "initial_delay_seconds" else rule.positive_int
        resolved[key] = s.optional(key, check) if s.present(key) else fallback
    if which != "readiness" and s.present("success_threshold"):
        checked(
            resolved["success_threshold"],
            lambda v: (
                v == 1
                or _raise(
                    s, "success_threshold", v, f"must be 1 for a {which} probe (Kubernetes rule)"
                )
            ),
        )
    return resolved


def _port(
    s: Fields,
    ports: Mapping[str, PortSpec],
    main: PortSpec | None,
    default_port: PortSpec | None,
    kind: str,
) -> PortSpec:
    number = s.known("port")
    if isinstance(number, int) and not isinstance(number, bool):
        named = [p.name for p in ports.values() if p.port == number]
        hint = f'; did you mean port: "{named[0]}"?' if named else ""
        raise s.fail("port", number, f"takes a port's name, not its number{hint}")
    name = s.optional_text("port")
    if name is None:
        port = default_port or main
        if port is None:
            raise s.fail(
                "port",
                None,
                f"is required for a {kind} probe here (there is no main port to default to): "
                "name one of ports[].name, or use kind exec or none",
            )
        return port
    if name not in ports:
        raise s.fail(
            "port",
            name,
            f"is not a port of the container; expected one of: {', '.join(sorted(ports))}",
        )
    port = ports[name]
    if port.protocol != "TCP":
        raise s.fail("port", name, f"is a {port.protocol} port; {kind} probes need a TCP port")
    return port


def _text(component: str, field_name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(component, field_name, value, "must be a string")
    return value


def _raise(s: Fields, key: str, value: Any, message: str) -> bool:
    raise s.fail(key, value, message)


def _doubled(value: pulumi.Input[int]) -> pulumi.Input[int]:
    return checked(value, lambda n: n * 2)


def _doubled_int32(component: str, field: str, value: object) -> int:
    """A probe failure threshold: liveness uses twice it, which must still fit an int32."""
    return rule.positive_int(component, field, value, grammar.INT32_MAX // 2)
