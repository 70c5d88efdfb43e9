# Pledge models arrive with issue 4.
