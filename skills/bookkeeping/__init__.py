"""The bookkeeping skill: spoken expenses and income become reviewed ledger entries."""
