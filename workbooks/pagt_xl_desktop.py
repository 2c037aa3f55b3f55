"""Called by the macro of pagt_xl_desktop.xlsm (xlwings RunPython). Do not rename: the macro imports it by name."""


def main() -> None:
    """Run the script of the button that was clicked."""
    from pagt_xl.xl.desktop import main as run

    run()
