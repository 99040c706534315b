"""The rules: one `falNNN_<name>.py` module per code, each exposing its class as `RULE`.

Modules starting with an underscore hold what several rules share; the registry ignores them.
"""
