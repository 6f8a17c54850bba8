"""Result delivery: from "result ready" at the unit to the citizen's hands."""
