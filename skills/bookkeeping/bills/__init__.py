"""Bills from elsewhere, reconciled with what was said; budgets; recurring entries.

* ``decoding``: a file's bytes as a table of cells (CSV in UTF-8 or GBK, or an .xlsx),
  with one clear error for anything that is not.
* ``alipay``, ``wechat``, ``bankcsv``: the layouts of the Alipay and WeChat Pay bill
  exports and of a bank CSV under a column mapping the user confirmed; each turns a
  table into ``BillRow``s as the export means them (``rows``).
* ``reading``: which layout a file is, and the one entry point ``read_bill``.
* ``semantics``: what each row does to the ledger: booked, skipped (pending, closed,
  a transfer between the user's own accounts, already imported), a refund matched to
  its purchase, a fee.
* ``categories``: a ledger category for a row from its payee and goods text, the
  user's past corrections and the lexicon.
* ``matching``: which imported row is the same money as an entry the user said.
* ``store``: the tables that keep each row's source id (so a file imported twice adds
  nothing), the import as one journal write (so one undo takes it back).
* ``importing``: file → plan (what will be added, merged, asked, skipped) → apply.
* ``budgets``, ``budget_intents``: monthly budgets per category and what is left,
  the 80%/100% warnings, recurring entries proposed on their day.
"""
