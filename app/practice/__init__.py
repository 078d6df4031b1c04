"""The contact person's desk (issue 16): user management, the message box and the paper forms, Qt-free."""
