"""Engine states in the forms written before the compact one (format 2), for tests that read old rows."""

from __future__ import annotations

import json

from workflows.state import SPEC_REF_KEY, state_dict, state_spec_ref


def full_form(state: str) -> str:
    """The text dump_state wrote before format 2 for the same instance: SpiffWorkflow's own form
    (`serialize_json`, default separators, ASCII escapes) with the spec reference first."""
    return '{"%s": "%s", %s' % (SPEC_REF_KEY, state_spec_ref(state), json.dumps(state_dict(state))[1:])
