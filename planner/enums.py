"""The planner's fixed vocabularies: removal steps, team kinds, contract actions, run states, objectives."""

from django.db import models


class Step(models.TextChoices):
    """The removal steps of one system, in the order they run."""

    ASSESS = "assess", "Assess"
    SELECT_REPLACEMENT = "select_replacement", "Select replacement"
    CONTRACT_ACTION = "contract_action", "Contract action"
    BUILD = "build", "Build and integrate"
    TEST_AUTHORIZE = "test_authorize", "Test and authorize"
    CUT_OVER = "cut_over", "Cut over"
    DECOMMISSION = "decommission", "Decommission and purge data"
    VERIFY = "verify", "Verify and attest"


STEP_ORDER: tuple[str, ...] = tuple(Step.values)
# The step whose finish removes the covered product: the removal deadline applies to it.
REMOVAL_STEP = Step.DECOMMISSION
# The step after which a dependent system may cut over (a depends-on link).
CUT_OVER_STEP = Step.CUT_OVER


class TeamKind(models.TextChoices):
    ENGINEERS = "engineers", "Migration engineers"
    CONTRACTING = "contracting", "Contracting officers"
    ASSESSORS = "assessors", "Security assessors"


class ContractActionKind(models.TextChoices):
    MODIFICATION = "modification", "Modification"
    NON_RENEWAL = "non_renewal", "Non-renewal"
    SOLICITATION_CLAUSE = "solicitation_clause", "Clause in new solicitations"


class PlanState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


UNFINISHED_STATES = (PlanState.QUEUED, PlanState.RUNNING)


class PlanObjective(models.TextChoices):
    """What a plan's bound and gap are about: the engine reports lateness until it proves it."""

    LATENESS = "lateness", "Weighted lateness"
    DURATION = "duration", "Duration"


class MilestoneKind(models.TextChoices):
    """Milestones from a plan (one per system and kind) and from the directive's phases."""

    REPLACEMENT_SELECTED = "replacement_selected", "Replacement selected"
    CONTRACT_ACTION_DONE = "contract_action_done", "Contract action done"
    CUT_OVER = "cut_over", "Cut over"
    REMOVED = "removed", "Removed"
    VERIFIED = "verified", "Verified"
    PHASE_IDENTIFY = "phase_identify", "Identify every dependent system"
    PHASE_PLAN = "phase_plan", "Removal plan submitted"
    STATUS_REPORT = "status_report", "Status report due"


SYSTEM_MILESTONE_KINDS = (
    MilestoneKind.REPLACEMENT_SELECTED,
    MilestoneKind.CONTRACT_ACTION_DONE,
    MilestoneKind.CUT_OVER,
    MilestoneKind.REMOVED,
    MilestoneKind.VERIFIED,
)
