"""Team views of the main window: own status, departments, who can pick up, who is out."""
