"""Use cases: f(session, actor, …) → result; they flush, the caller commits."""
