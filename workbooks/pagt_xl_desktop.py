"""Called by the macro of pagt_xl_desktop.xlsm (xlwings RunPython). Keep the name: the macro imports it by name."""


def main() -> None:
    """Run the script of the button that was clicked (see pagt_xl.xl.desktop)."""
    from pagt_xl.xl.desktop import main as run

    run()
