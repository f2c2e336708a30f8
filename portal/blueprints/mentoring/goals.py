"""What the pair page shows about the goals, and the one way a view finds a goal.

Each person reads the shared goals and their own private ones; nobody else reads any
(coordinators never reach the pair's space)."""
from flask import abort

from portal.blueprints.mentoring.forms_goals import NEW_PREFIX, GoalForm
from portal.blueprints.mentoring.models import Goal


def section_context(rel, user, today, goal_form: GoalForm | None = None) -> dict:
    """The template variables of the pair page's goals section: one query."""
    return {"goals": list(Goal.visible_to(user, rel)),
            "goal_form": goal_form or GoalForm(prefix=NEW_PREFIX, formdata=None, today=today)}


def get_goal_or_404(rel, user, goal_id: int) -> Goal:
    """A goal of this pair that `user` may read, with its owner and countersigner; 404
    otherwise, so the other person's private goal is as absent as one that never was."""
    return Goal.visible_to(user, rel).where(Goal.id == goal_id).first() or abort(404)
