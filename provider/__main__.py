"""The plugin the Pulumi engine runs for the ``moorage`` package: serves Moorage's components."""

from moorage._component_package import main

if __name__ == "__main__":
    main()
