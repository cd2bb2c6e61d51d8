"""The project's Airflow plugin, for a deployment that mounts this folder as Airflow's plugins folder.

Where the project is installed (``pip install``, as the Dockerfile does), Airflow already loads the plugin through
the ``airflow.plugins`` entry point, so this module then defines nothing: the same plugin twice would be refused
as "already registered". Where only the source is on the path, this is how Airflow finds it.
"""

from importlib.metadata import entry_points

if not any(e.value.startswith("zgc_airflow.ui.plugin:") for e in entry_points(group="airflow.plugins")):
    from zgc_airflow.ui.plugin import ZgcPagesPlugin

    __all__ = ["ZgcPagesPlugin"]
