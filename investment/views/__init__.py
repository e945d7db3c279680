"""The investment pages, one module per page family: projects (list, board, detail, forms,
transitions), milestones, progress reports, supervision (inbox, items, steps, my-work) and
exemptions. Reads start from ``investment.selectors`` or
``for_user``; writes go through ``investment.services``."""
