"""Names vulture cannot see being used: framework hooks called by Qt, SQLAlchemy and Alembic."""

# Qt calls these overrides itself.
eventFilter  # noqa: B018
paintEvent  # noqa: B018
# SQLAlchemy TypeDecorator hooks.
process_bind_param  # noqa: B018
process_result_value  # noqa: B018
# Alembic migration scripts define downgrade (the kiosk only migrates forward; kept for tools).
downgrade  # noqa: B018
