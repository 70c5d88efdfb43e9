# Models for this part of the yearly cycle arrive with their own issue (see DESIGN.md).
