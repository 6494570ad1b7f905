"""Application: many WebServices, shared namespaces and references between services.

Namespaces are declared once (``namespaces``) and belong to the Application, not to any
one service. A service refers to another by name (``service_refs``): it gets the other's
URL (or host) as an environment variable, waits for it (a dependency), and the other's
NetworkPolicy admits its namespace. Unknown names and reference cycles are reported
before anything is created, as are the errors of every service's own args.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypedDict, cast

import pulumi
import pulumi_kubernetes as k8s
from typing_extensions import NotRequired

from . import _rules as rule
from ._errors import ValidationError
from ._fields import Fields, all_passed, collecting_checks, is_deferred
from .application_identity import (
    PLACEHOLDER_GOOGLE_ACCOUNT,
    read_identities,
    waiting_for,
    with_google_annotation,
)
from .application_plan import ApplicationPlan, Deferred, NamespacePlan, ServicePlan
from .application_services import check_object_names, check_targets_serve, with_egress_to_targets
from .identity import IdentityArgs, IdentityTarget, create_identity
from .webservice import (
    ServiceSpec,
    WebService,
    WebServiceArgs,
    annotation_map,
    check_pod_security,
    gate_descendants,
    inherited_dependencies,
    label_map,
    map_input,
    prevalidate,
)

TYPE_TOKEN = "moorage:index:Application"
POD_SECURITY_LEVELS = ("restricted", "baseline", "privileged")
REF_VALUES = ("url", "host", "address", "short_address")

PLACEHOLDER_URL = "http://placeholder.invalid:80"
"""What a reference holds if the program fails before the referenced service exists."""

DEFAULTS: dict[str, object] = {
    "namespaces.pod_security": "restricted",
    "namespaces.retain_on_delete": False,
    "service_refs.value": "url",
}


class NamespaceArgs(TypedDict):
    """A namespace shared by the Application's services."""

    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra labels of the Namespace."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations of the Namespace."""
    pod_security: NotRequired[pulumi.Input[str]]
    """Pod Security Admission level enforced in it: restricted, baseline or privileged."""
    retain_on_delete: NotRequired[pulumi.Input[bool]]
    """Keep the Namespace (and everything left in it, such as retained claims) when the
    Application is destroyed."""


class ServiceRefArgs(TypedDict):
    """A reference from one service to another of the same Application."""

    service: pulumi.Input[str]
    """Name of the referenced service (a key of ``services``)."""
    value: NotRequired[pulumi.Input[str]]
    """What the variable holds: "url" (e.g. ``grpc://cart.shop.svc.cluster.local:50051``),
    "host" (``cart.shop.svc.cluster.local``) or "address" (host:port, e.g.
    ``cache.shop.svc.cluster.local:6379``) or "short_address" (``cache:6379``, for a
    service in the same namespace, as plain manifests write it)."""
    wait: NotRequired[pulumi.Input[bool]]
    """Create the referring service only once the referenced one is ready (default: the
    Application's ``wait_for_references``). Set false for apps that retry on their own:
    they then start in parallel."""


class ApplicationArgs(TypedDict):
    """Arguments of :class:`moorage.Application`."""

    services: pulumi.Input[Mapping[str, pulumi.Input[WebServiceArgs]]]
    """The services by name (each name is also its Deployment's and Service's name).
    A service whose ``namespace`` is declared in ``namespaces`` runs there; one without
    ``namespace`` gets a namespace of its own, as a lone WebService does."""
    namespaces: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[NamespaceArgs]]]]
    """Namespaces to create, by name, shared by the services."""
    service_refs: NotRequired[
        pulumi.Input[Mapping[str, pulumi.Input[Mapping[str, pulumi.Input[ServiceRefArgs]]]]]
    ]
    """Per service, environment variable name -> the service it refers to, e.g.
    ``{"web": {"CART_URL": {"service": "cart"}}}``."""
    wait_for_references: NotRequired[pulumi.Input[bool]]
    """Default of every reference's ``wait``: true, so a service that does not retry
    never starts before what it calls; false starts every service in parallel."""
    kubeconfig: NotRequired[pulumi.Input[str]]
    """The cluster's kubeconfig, given to every service that does not set its own
    ``kubeconfig`` (blue/green reads the live Service and Deployments with it)."""
    identities: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[IdentityArgs]]]]
    """Per service, the cloud identity created for its ServiceAccount, e.g.
    ``{"api": {"aws": {"policy_arns": [...]}}}``: an IAM role and EKS Pod Identity
    association, or a Google service account, its project roles and the Workload Identity
    binding. Needs the cluster: Python passes
    ``identity_target=cluster.identity_target()`` to Application (on a local cluster
    nothing is created)."""


FieldNamer = Callable[[str, str], str]
"""(service, env var) -> the field a reference error names."""


def find_cycle(graph: Mapping[str, list[str]]) -> list[str] | None:
    """A reference cycle as a path (``["web", "cart", "web"]``), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, []):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if state.get(target) is None:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def creation_order(graph: Mapping[str, list[str]]) -> list[str]:
    """Services with the ones they refer to first (the graph has no cycle)."""
    order: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        done.add(node)
        for target in sorted(graph.get(node, [])):
            visit(target)
        order.append(node)

    for node in sorted(graph):
        visit(node)
    return order


def check_references(
    component: str,
    services: Mapping[str, object],
    refs: Mapping[str, Mapping[str, tuple[str, str]]],
    field: FieldNamer,
) -> list[str]:
    """Unknown targets, self-references and cycles are errors; returns the creation order."""
    graph: dict[str, list[str]] = {name: [] for name in services}
    for source, variables in refs.items():
        if source not in services:
            raise ValidationError(
                component, field(source, ""), source, "is not a service of this application"
            )
        for variable, (target, _) in variables.items():
            if target not in services:
                raise ValidationError(
                    component,
                    field(source, variable),
                    target,
                    "is not a service of this application; services: "
                    + ", ".join(sorted(services)),
                )
            if target == source:
                raise ValidationError(
                    component, field(source, variable), target, "refers to the service itself"
                )
            graph[source].append(target)
    cycle = find_cycle(graph)
    if cycle:
        raise ValidationError(
            component,
            field(cycle[0], ""),
            " -> ".join(cycle),
            "is a reference cycle: services cannot wait for each other; remove one of "
            "these references (pass that address as plain env instead)",
        )
    return creation_order(graph)


def _refs_field(service: str, variable: str) -> str:
    return f"service_refs.{service}.{variable}" if variable else f"service_refs.{service}"


def _read_refs(component: str, args: Mapping[str, Any]) -> dict[str, dict[str, tuple[str, str]]]:
    raw = Fields(component, args).mapping("service_refs")
    refs: dict[str, dict[str, tuple[str, str]]] = {}
    for source, variables in raw.items():
        per_service = Fields(component, variables, f"service_refs.{source}.")
        refs[source] = {}
        for variable in per_service.args:
            rule.env_name(component, per_service.field(variable), variable)
            ref = per_service.section(variable)
            ref.reject_unknown(ServiceRefArgs.__annotations__, "ServiceRefArgs")
            target = ref.required_text("service")
            value = rule.one_of(component, ref.field("value"), ref.text("value", "url"), REF_VALUES)
            refs[source][variable] = (target, value)
    return refs


def _read_no_waits(
    component: str, args: Mapping[str, Any], default: bool
) -> dict[str, frozenset[str]]:
    """Per service, the variables whose reference does not wait for its target."""
    out: dict[str, frozenset[str]] = {}
    for source, variables in Fields(component, args).mapping("service_refs").items():
        per_service = Fields(component, variables, f"service_refs.{source}.")
        out[source] = frozenset(
            v for v in per_service.args if not per_service.section(v).boolean("wait", default)
        )
    return out


def _check_short_addresses(component: str, plans: Mapping[str, ServicePlan]) -> None:
    """``short_address`` (``name:port``) resolves only within the referrer's namespace."""
    for plan in plans.values():
        for variable, (target, value) in plan.refs.items():
            if value == "short_address" and plans[target].namespace != plan.namespace:
                raise ValidationError(
                    component,
                    f"{_refs_field(plan.name, variable)}.value",
                    value,
                    f"needs {target} in the same namespace ({plan.namespace}); it runs in "
                    f'{plans[target].namespace}: use "address"',
                )


def _read_namespaces(component: str, args: Mapping[str, Any]) -> dict[str, NamespacePlan]:
    declared = Fields(component, args).mapping("namespaces")
    plans = {}
    for ns_name, ns_args in declared.items():
        rule.namespace_claim(
            component,
            f"namespaces.{ns_name}",
            ns_name,
            create=True,
            use_instead="do not declare it; give its services namespace: default and "
            "create_namespace: false",
        )
        f = Fields(component, ns_args or {}, f"namespaces.{ns_name}.")
        f.reject_unknown(NamespaceArgs.__annotations__, "NamespaceArgs")
        labels = map_input(f, "labels", label_map)
        annotations = map_input(f, "annotations", annotation_map)
        plans[ns_name] = NamespacePlan(
            name=ns_name,
            labels=labels,
            annotations=annotations,
            pod_security=rule.one_of(
                component,
                f.field("pod_security"),
                f.text("pod_security", "restricted"),
                POD_SECURITY_LEVELS,
            ),
            retain_on_delete=f.boolean("retain_on_delete", False),
        )
    return plans


def _service_namespace(
    component: str, name: str, args: Mapping[str, Any], namespaces: Mapping[str, NamespacePlan]
) -> tuple[str, str | None, dict[str, Any]]:
    """(namespace, declared namespace or None, args with create_namespace settled)."""
    service = Fields(component, args, f"services.{name}.")
    given = service.optional_text("namespace")
    create = service.known("create_namespace")
    settled = dict(args)
    if given is None:
        if name in namespaces:
            raise service.fail(
                "namespace",
                None,
                f'is unset, so the service would create its own namespace "{name}", which is '
                f'also declared in namespaces; set namespace: "{name}"',
            )
        return name, None, settled
    if given in namespaces:
        if create is True:
            raise service.fail(
                "create_namespace",
                True,
                f'cannot be true: namespace "{given}" is declared in namespaces and belongs '
                "to the application",
            )
        settled["create_namespace"] = False
        return given, given, settled
    if create is None:
        raise service.fail(
            "namespace",
            given,
            "is not declared in namespaces: declare it there (it is then shared by the "
            "services), or set create_namespace: false to use a namespace that already exists",
        )
    return given, None, settled


def _admit_referrers(services: dict[str, ServicePlan]) -> dict[str, ServicePlan]:
    """Open each referenced service's NetworkPolicy to the namespaces of its referrers."""
    admitted: dict[str, set[str]] = {}
    for plan in services.values():
        for target, _ in plan.refs.values():
            if services[target].namespace != plan.namespace:
                admitted.setdefault(target, set()).add(plan.namespace)
    result = dict(services)
    for target, namespaces in admitted.items():
        plan = services[target]
        policy = dict(plan.args.get("network_policy") or {})
        if policy.get("enabled") is False:
            continue
        existing = policy.get("allow_from_namespaces") or []
        if isinstance(existing, pulumi.Output):
            continue
        policy["allow_from_namespaces"] = [
            *existing,
            *sorted(ns for ns in namespaces if ns not in existing),
        ]
        result[target] = replace(plan, args={**plan.args, "network_policy": policy})
    return result


_PLANNED: dict[int, tuple[Mapping[str, Any], dict[str, Any], str, ApplicationPlan]] = {}


def plan_application(name: str, args: ApplicationArgs, cloud: str | None = None) -> ApplicationPlan:
    """Validate the whole Application (every service included) before anything is created.

    Each service's spec is built here, once, from the args its WebService is then
    created with: values that exist only later (a referenced service's URL, a declared
    Namespace's name) are deferred Outputs, resolved by the Application. The
    Application created next from the same (unchanged) mapping takes this plan over.
    ``cloud`` ("local", "eks" or "gke") is the cluster's, for ``identities``.
    """
    plan = _plan(name, args, cloud)
    _PLANNED[id(args)] = (args, dict(args), name, plan)
    return plan


def planned_application(
    name: str, args: ApplicationArgs, cloud: str | None = None
) -> ApplicationPlan:
    """The plan :func:`plan_application` made for exactly these args, or a fresh one."""
    entry = _PLANNED.pop(id(args), None)
    if entry is not None:
        mapping, snapshot, planned_for, plan = entry
        same = mapping is args and planned_for == name and snapshot == dict(args)
        if same and plan.cloud == cloud:
            return plan
        plan.release()
    return _plan(name, args, cloud)


def _plan(name: str, args: ApplicationArgs, cloud: str | None = None) -> ApplicationPlan:
    component = f'Application "{name}"'
    top = Fields(component, cast(Mapping[str, Any], args))
    top.reject_unknown(ApplicationArgs.__annotations__, "ApplicationArgs")
    services_args = top.mapping("services")
    if not services_args:
        raise top.fail("services", services_args, "must name at least one service")
    with collecting_checks() as pending:
        namespaces = _read_namespaces(component, args)
    refs = _read_refs(component, args)
    waits = _read_no_waits(component, args, top.boolean("wait_for_references", True))
    kubeconfig = top.optional_plain_checked("kubeconfig", rule.kubeconfig)
    order = check_references(component, services_args, refs, _refs_field)
    identities = read_identities(component, args, services_args, cloud)
    plans: dict[str, ServicePlan] = {}
    for service_name in order:
        raw = services_args[service_name]
        rule.service_name(component, service_name)
        if not isinstance(raw, Mapping):
            raise top.fail(f"services.{service_name}", raw, "must be a WebServiceArgs mapping")
        namespace, shared, settled = _service_namespace(component, service_name, raw, namespaces)
        if kubeconfig is not None and raw.get("kubeconfig") is None:
            settled = {**settled, "kubeconfig": kubeconfig}
        plans[service_name] = ServicePlan(
            service_name,
            namespace,
            shared,
            settled,
            refs.get(service_name, {}),
            {},
            None,
            waits.get(service_name, frozenset()),
            identities.get(service_name),
        )
    _check_short_addresses(component, plans)
    plans = _admit_referrers(plans)
    ready = ApplicationPlan(namespaces, [], cloud, tuple(pending))
    in_namespace = {service: plan.namespace for service, plan in plans.items()}
    specs: dict[str, ServiceSpec] = {}
    try:
        for service_name in order:  # referenced services first: their specs are known
            service = plans[service_name]
            check_targets_serve(component, service, specs)
            service = with_egress_to_targets(component, service, specs, in_namespace)
            service, specs[service_name] = _with_deferred_values(component, service, namespaces)
            ready.services.append(service)
        check_object_names(component, specs, in_namespace)
    except BaseException:
        ready.release()
        raise
    return ready


def _with_deferred_values(
    component: str, plan: ServicePlan, namespaces: Mapping[str, NamespacePlan]
) -> tuple[ServicePlan, ServiceSpec]:
    """The service's final args (references and shared namespace as deferred Outputs),
    checked by building its spec once (:func:`prevalidate`), and against the Pod
    Security level of the declared namespace it runs in."""
    env = dict(plan.args.get("env") or {})
    for variable in plan.refs:
        if variable in env:
            raise ValidationError(
                component,
                _refs_field(plan.name, variable),
                variable,
                "is also set in env; set it in one place",
            )
    deferred_refs = {variable: Deferred(PLACEHOLDER_URL) for variable in plan.refs}
    env.update({variable: deferred.output for variable, deferred in deferred_refs.items()})
    args = {**plan.args, "env": env} if env else dict(plan.args)
    deferred_namespace: Deferred | None = None
    if plan.shared_namespace is not None:
        # Checked as a name here; as an Output, every child of the service waits for it.
        rule.namespace_claim(
            component, f"services.{plan.name}.namespace", plan.shared_namespace, create=False
        )
        deferred_namespace = Deferred(plan.shared_namespace)
        args["namespace"] = deferred_namespace.output
    deferred_google_account: Deferred | None = None
    if plan.identity is not None and plan.identity.annotated:
        deferred_google_account = Deferred(PLACEHOLDER_GOOGLE_ACCOUNT)
        args = with_google_annotation(args, deferred_google_account.output)
    ready = replace(
        plan,
        args=args,
        deferred_refs=deferred_refs,
        deferred_namespace=deferred_namespace,
        deferred_google_account=deferred_google_account,
    )
    try:
        spec = prevalidate(plan.name, cast(WebServiceArgs, args))
        if plan.shared_namespace is not None:
            check_pod_security(
                component,
                spec.containers,
                enforced=namespaces[plan.shared_namespace].pod_security == "restricted",
                why=f'namespace "{plan.shared_namespace}" of this application enforces: its '
                "pods would never be admitted (declare the namespace with pod_security: "
                "baseline or privileged if the service needs it)",
            )
    except ValidationError as error:
        for deferred in ready.deferred():
            deferred.give_stand_in()
        raise ValidationError(
            component, f"services.{plan.name}.{error.field}", error.value, error.rule
        ) from None
    return ready, spec


def namespace_labels(plan: NamespacePlan, application: str) -> pulumi.Input[dict[str, Any]]:
    """The Namespace's labels: the user's, then Moorage's (ours win)."""
    ours = {
        "app.kubernetes.io/part-of": application,
        "app.kubernetes.io/managed-by": "pulumi",
        **{
            f"pod-security.kubernetes.io/{mode}": plan.pod_security
            for mode in ("enforce", "warn", "audit")
        },
    }
    if is_deferred(plan.labels):
        return pulumi.Output.from_input(plan.labels).apply(lambda labels: {**labels, **ours})
    return {**cast(dict[str, Any], plan.labels), **ours}


def _address(url: str) -> str:
    """``grpc://cart.shop.svc.cluster.local:50051`` -> ``cart.shop.svc.cluster.local:50051``."""
    return url.split("://", 1)[-1]


def _host(url: str) -> str:
    return _address(url).rsplit(":", 1)[0]


def _short_address(url: str) -> str:
    """``grpc://cart.shop.svc.cluster.local:50051`` -> ``cart:50051``."""
    host, port = _address(url).rsplit(":", 1)
    return f"{host.split('.', 1)[0]}:{port}"


REFERENCED = {
    "url": lambda url: url,
    "host": _host,
    "address": _address,
    "short_address": _short_address,
}


def _referenced(value: str) -> Callable[[list[Any]], str]:
    """From [url, deployment name] to what the variable holds."""
    return lambda url_and_name: REFERENCED[value](str(url_and_name[0]))


def _name(meta: Any) -> str:
    return str(meta.name)


class Application(pulumi.ComponentResource):
    """Many WebServices on one cluster, with shared namespaces and references.

    Creates the declared Namespaces, then each service (a :class:`moorage.WebService`,
    named after its key) after the services it refers to. Pass the Kubernetes provider
    through ``opts``; every child inherits it. Bad arguments, unknown references and
    reference cycles raise :class:`moorage.ValidationError` before any child is created.
    """

    urls: pulumi.Output[dict[str, str]]
    """In-cluster URL of every service, by name."""

    def __init__(
        self,
        name: str,
        args: ApplicationArgs,
        opts: pulumi.ResourceOptions | None = None,
        identity_target: IdentityTarget | None = None,
    ) -> None:
        """``identity_target`` (``cluster.identity_target()``) is where ``identities`` are
        created: needed only when ``identities`` is set."""
        gate: list[pulumi.Output[Any]] = []
        super().__init__(TYPE_TOKEN, name, None, gate_descendants(opts, self, gate))
        plan = planned_application(
            name, args, identity_target.cloud if identity_target is not None else None
        )
        if plan.pending_checks:
            gate.append(all_passed(plan.pending_checks))
        try:
            self._create_children(name, plan, opts, identity_target)
        except BaseException:
            plan.release()
            raise
        self.urls = pulumi.Output.all(
            **{service_name: s.url for service_name, s in self.services.items()}
        ).apply(dict)
        self.register_outputs({"urls": self.urls})

    def _create_children(
        self,
        name: str,
        plan: ApplicationPlan,
        opts: pulumi.ResourceOptions | None,
        identity_target: IdentityTarget | None,
    ) -> None:
        # Children are annotated here, not on the class, which the schema analyzer reads.
        self.namespace_resources: dict[str, k8s.core.v1.Namespace] = {}
        """The declared Namespaces, by name."""
        for ns in plan.namespaces.values():
            meta: dict[str, Any] = {"name": ns.name, "labels": namespace_labels(ns, name)}
            if ns.annotations:
                meta["annotations"] = ns.annotations
            self.namespace_resources[ns.name] = k8s.core.v1.Namespace(
                f"{name}-namespace-{ns.name}",
                metadata=meta,
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=ns.retain_on_delete),
            )
        self.services: dict[str, WebService] = {}
        """The services (WebService components), by name."""
        # Children do not inherit a component's depends_on: pass it down (e.g. CRDs).
        inherited = inherited_dependencies(opts)
        for service in plan.services:
            waits_for: list[pulumi.Resource] = list(inherited)
            for variable, (target, value) in service.refs.items():
                referenced = self.services[target]
                # Through the referenced Deployment's name too, so this service's objects
                # wait until that Deployment is up (children do not inherit depends_on).
                if variable in service.no_wait:
                    # Only the Service's URL: the referrer starts in parallel.
                    service.deferred_refs[variable].give(referenced.url.apply(REFERENCED[value]))
                    continue
                service.deferred_refs[variable].give(
                    pulumi.Output.all(referenced.url, referenced.deployment_name).apply(
                        _referenced(value)
                    )
                )
                waits_for.append(referenced)
            if service.shared_namespace is not None and service.deferred_namespace is not None:
                namespace = self.namespace_resources[service.shared_namespace]
                waits_for.append(namespace)
                service.deferred_namespace.give(namespace.metadata.apply(_name))
            ready: tuple[pulumi.Resource, ...] = ()
            if service.identity is not None and identity_target is not None:
                ready = self._create_identity(service, identity_target)
            self.services[service.name] = WebService(
                service.name,
                cast(WebServiceArgs, service.args),
                pulumi.ResourceOptions(
                    parent=self, depends_on=waits_for, transformations=waiting_for(ready)
                ),
            )

    def _create_identity(
        self, service: ServicePlan, target: IdentityTarget
    ) -> tuple[pulumi.Resource, ...]:
        """The service's cloud identity; what its pods must wait for."""
        assert service.identity is not None
        created = create_identity(
            service.name,
            service.identity.spec,
            namespace=service.namespace,
            service_account=service.identity.service_account,
            target=target,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if service.deferred_google_account is not None:
            email = created.google_service_account
            service.deferred_google_account.give(
                email if email is not None else PLACEHOLDER_GOOGLE_ACCOUNT
            )
        return created.ready
