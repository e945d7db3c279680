"""The investment pages, one module per page family: projects (list, board, detail, forms,
transitions), milestones and progress reports. Reads start from ``investment.selectors`` or
``for_user``; writes go through ``investment.services``."""
