"""The rules layer: which matched ACE x Odoo deals qualify for AWS programs (POD, MAP, ...) month by month, with
the reason for every verdict, and the ACE updates that would bring ACE in line with Odoo.

- config.py: programs and rules from data/rules/*.yaml (`extends`, `$parameters`), validated at load;
- facts.py / operators.py / evaluate.py: the facts of one pair and the verdict on them, plain Python;
- snapshots.py: the facts each month was evaluated on, frozen once the month ends (the "as of the month" guarantee);
- verdicts.py: capture, evaluate and store a range of months in the warehouse, and the checks;
- proposals.py: Partner Central UpdateOpportunity payloads where Odoo and ACE disagree, and their export;
- assets.py / definitions.py: the Dagster assets (group `rules`); summary.py: the demo's lines.

Nothing here imports Dagster except assets.py and definitions.py, so rules are evaluated and tested without it.
"""
