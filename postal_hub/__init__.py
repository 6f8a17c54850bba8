"""Postal Hub: the work one-stop units contract out to the public postal operator."""

from __future__ import annotations

from typing import Any

from flask import Flask

from postal_hub.config import load_config, resource_dir


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    load_config(app, test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese text stays readable in JSON
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from postal_hub.auth.loader import load_user
    from postal_hub.extensions import babel, csrf, db, login_manager
    from postal_hub.i18n import select_locale, select_timezone

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in_page"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def register_url_converters(app: Flask) -> None:
    """Every <int:...> in a route is a record id: beyond PostgreSQL's integer the page is a 404,
    not a database error."""
    from postal_hub.routing import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter


def register_blueprints(app: Flask) -> None:
    from postal_hub.admin.views import bp as admin_bp
    from postal_hub.api.views import bp as api_bp
    from postal_hub.auth.views import bp as auth_bp
    from postal_hub.contracts.views_all import bp as contracts_bp
    from postal_hub.delivery.views_all import bp as delivery_bp
    from postal_hub.delivery.views_remittance import bp as delivery_remittance_bp
    from postal_hub.handoff.views_all import bp as handoff_bp
    from postal_hub.health import bp as health_bp
    from postal_hub.home.views import bp as home_bp
    from postal_hub.intake.views_all import bp as intake_bp
    from postal_hub.monitoring.views_all import bp as monitoring_bp
    from postal_hub.pickup.views_all import bp as pickup_bp
    from postal_hub.places_api import bp as places_bp
    from postal_hub.training.coverage import staffing_in_area
    from postal_hub.training.views_all import bp as training_bp
    from postal_hub.webhooks.views_all import bp as webhooks_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(contracts_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(handoff_bp)
    app.register_blueprint(pickup_bp)
    app.register_blueprint(delivery_bp)
    app.register_blueprint(delivery_remittance_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(monitoring_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(api_bp)
    # Contracts depend on no other feature: their capacity assessment finds the training figures here.
    app.extensions["staffing_in_area"] = staffing_in_area


def register_errorhandlers(app: Flask) -> None:
    from postal_hub.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from postal_hub.templating import init_templating

    init_templating(app)


def register_security_headers(app: Flask) -> None:
    from postal_hub.security import init_input_guard, init_security_headers, init_session_expiry

    init_input_guard(app)
    init_security_headers(app)
    init_session_expiry(app)


def register_commands(app: Flask) -> None:
    from postal_hub.cli import register_cli

    register_cli(app)
