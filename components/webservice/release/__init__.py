"""Release: how a new pod template reaches the pods (rolling, blue/green, canary).

- ``_strategy``: the ``strategy``, ``blue_green`` and ``canary`` Args, read into a
  :class:`ReleaseSpec`;
- ``_plan``: the pure plan, the state a release moves through and the steps it takes;
- ``_ledger``: the state kept between updates (a dynamic resource) and ``_live``, the
  cluster reads blue/green makes before it moves on;
- ``_wiring``: the plan wired to Kubernetes resources (the Deployments, the Service, the
  grace-period pause).

The names below are the subpackage's seam: the component uses ``read`` and
``declare_release``; tests drive the pure plan and the ledger through the rest, and
replace ``ledger.kubernetes_view`` to fake the cluster reads.
"""

from . import _ledger as ledger
from ._analysis import AnalysisArgs, AnalysisFailed, AnalysisQueryArgs, AnalysisSpec, run_analysis
from ._ledger import UNKNOWN, LedgerProvider, cluster_input, ledger_input, next_state
from ._live import ClusterReadError, LiveReplicas
from ._plan import (
    COLOR_LABEL,
    TRACK_LABEL,
    TRACKS,
    DeploymentPlan,
    ReleaseState,
    canary_replicas,
    next_blue_green_state,
    plan_blue_green,
    plan_canary,
    same_template,
    with_live_color,
)
from ._run import RunResult, StepActions, run_steps
from ._runner import CanaryRunProvider, declare_canary_run
from ._steps import CanaryStep, CanaryStepArgs, PlannedStep, describe, plan_steps
from ._strategy import DEFAULTS, BlueGreenArgs, CanaryArgs, ReleaseSpec, read
from ._wiring import Release, declare_release, deployment_names

__all__ = [
    "COLOR_LABEL",
    "DEFAULTS",
    "TRACKS",
    "TRACK_LABEL",
    "UNKNOWN",
    "AnalysisArgs",
    "AnalysisFailed",
    "AnalysisQueryArgs",
    "AnalysisSpec",
    "BlueGreenArgs",
    "CanaryArgs",
    "CanaryRunProvider",
    "CanaryStep",
    "CanaryStepArgs",
    "ClusterReadError",
    "DeploymentPlan",
    "LedgerProvider",
    "LiveReplicas",
    "PlannedStep",
    "Release",
    "ReleaseSpec",
    "ReleaseState",
    "RunResult",
    "StepActions",
    "canary_replicas",
    "cluster_input",
    "declare_canary_run",
    "declare_release",
    "deployment_names",
    "describe",
    "ledger",
    "ledger_input",
    "next_blue_green_state",
    "next_state",
    "plan_blue_green",
    "plan_canary",
    "plan_steps",
    "read",
    "run_analysis",
    "run_steps",
    "same_template",
    "with_live_color",
]
