"""Errors of the project workflow's Lambda tasks.

Step Functions names a Lambda function error after the exception's class
(``errorType``), so these class names are the error names the state machine's
``Retry`` and ``Catch`` match: ``TransientError`` is retried with backoff, every
other error goes to the failure path (``States.ALL``).
"""

from __future__ import annotations


class WorkflowTaskError(Exception):
    """Base class: a task that cannot do what the workflow asked (not retried)."""


class TransientError(WorkflowTaskError):
    """A failure that may go away on its own (database connection lost, lock wait
    timeout, deadlock, throttling): the state machine retries the task with
    exponential backoff."""


class InvalidInput(WorkflowTaskError):
    """The execution input or a callback's output is not what the task needs."""


class ProjectNotFound(WorkflowTaskError):
    """The execution names a project that does not exist."""


class InvalidProjectState(WorkflowTaskError):
    """The project is in a status from which this step cannot proceed."""


class InvalidSelection(WorkflowTaskError):
    """The freelancer selection names no submitted bid of the project."""


class NoMilestonesDefined(WorkflowTaskError):
    """Work cannot start: the project has no milestones."""


class InvalidDecision(WorkflowTaskError):
    """A milestone approval callback carried neither ``approved`` nor ``rejected``."""


class PaymentNotRecorded(WorkflowTaskError):
    """The payment wait was resumed but the milestone is not paid in the database."""
