// acpi_pm: being written (engineer P2).
