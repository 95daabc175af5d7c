from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`seed_demo` (the data of `make run`) and `agent_demo` (a simulated back office)."""

    name = "theke.demo"
    label = "demo"
    verbose_name = "Demo"  # the same word in German and English: nothing to translate
