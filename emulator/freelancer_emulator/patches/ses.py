"""SES (v1) patches.

What it fixes, and why the platform needs it on the emulator:

* the ``notifications`` role converges a configuration set with an SNS event
  destination; after ``playbooks/teardown.yml`` the same emulator refuses to
  create it again (``EventDestinationAlreadyExists``), so ``make local`` after
  ``make teardown-local`` fails until the emulator is restarted;
* changing an event destination (types, topic, enabled) needs
  UpdateConfigurationSetEventDestination / DeleteConfigurationSetEventDestination,
  which answer HTTP 500;
* reputation metrics of a set cannot be converged: DescribeConfigurationSet never
  reports ReputationOptions, so a module that sets them changes on every run;
* a templated email sent with a configuration set does not record the set, so a
  test cannot check the platform sends with it.
"""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr


def _destinations(backend: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """Event destinations by configuration set, then by name (kept on the backend instance)."""
    return vars(backend).setdefault("_event_destinations_by_set", {})


def _exceptions() -> tuple[type, type, type]:
    from moto.ses.exceptions import ConfigurationSetDoesNotExist
    from moto.ses.exceptions import EventDestinationAlreadyExists
    from moto.ses.exceptions import SesError

    class EventDestinationDoesNotExist(SesError):
        code = "EventDestinationDoesNotExist"

    return ConfigurationSetDoesNotExist, EventDestinationAlreadyExists, EventDestinationDoesNotExist


@once
def configuration_set_event_destinations() -> None:
    """A configuration set keeps any number of event destinations, each unique within the set.

    AWS: DescribeConfigurationSet (attribute ``eventDestinations``) lists every destination of the set;
    a destination name must be unique within its set only; Update- and DeleteConfigurationSetEventDestination
    change or remove one (``EventDestinationDoesNotExist`` for an unknown name); DeleteConfigurationSet removes
    its destinations, and deleting an unknown set raises ``ConfigurationSetDoesNotExist``.
    moto 5.2.5: one destination per set (``config_set_event_destination[set] = destination``,
    moto/ses/models.py:762), names unique across the whole region and never released
    (``event_destinations[name] = 1``, :763; checked at :759), so a set deleted and created again cannot get
    its destination back; Update/Delete are not implemented (no method on ``EmailResponse``,
    moto/ses/responses.py); deleting an unknown set is a KeyError, HTTP 500 (moto/ses/models.py:745).
    Fix: keep destinations per set on the backend, answer describe, update and delete from there, and
    drop them with their set.
    """
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    set_missing, already_exists, destination_missing = _exceptions()

    def _set_destinations(backend: SESBackend, name: str) -> dict[str, dict[str, Any]]:
        if name not in backend.config_sets:
            raise set_missing(f"Configuration set <{name}> does not exist.")
        return _destinations(backend).setdefault(name, {})

    def create_destination(self: SESBackend, configuration_set_name: str, event_destination: dict[str, Any]) -> None:
        destinations = _set_destinations(self, configuration_set_name)
        if event_destination["Name"] in destinations:
            raise already_exists(f"Event destination {event_destination['Name']} already exists.")
        destinations[event_destination["Name"]] = event_destination

    def update_destination(self: SESBackend, configuration_set_name: str, event_destination: dict[str, Any]) -> None:
        destinations = _set_destinations(self, configuration_set_name)
        if event_destination["Name"] not in destinations:
            raise destination_missing(f"No EventDestination found for {event_destination['Name']}")
        destinations[event_destination["Name"]] = event_destination

    def delete_destination(self: SESBackend, configuration_set_name: str, event_destination_name: str) -> None:
        destinations = _set_destinations(self, configuration_set_name)
        if event_destination_name not in destinations:
            raise destination_missing(f"No EventDestination found for {event_destination_name}")
        del destinations[event_destination_name]

    def delete_configuration_set(self: SESBackend, configuration_set_name: str) -> None:
        if configuration_set_name not in self.config_sets:
            raise set_missing(f"Configuration set <{configuration_set_name}> does not exist.")
        del self.config_sets[configuration_set_name]
        _destinations(self).pop(configuration_set_name, None)

    def describe_response(self: EmailResponse) -> Any:
        from moto.core.responses import ActionResult

        name = self._get_param("ConfigurationSetName")
        config_set = self.backend.describe_configuration_set(name)
        attribute_names = self._get_param("ConfigurationSetAttributeNames", [])
        result: dict[str, Any] = {"ConfigurationSet": {"Name": config_set.configuration_set_name}}
        if "eventDestinations" in attribute_names:
            result["EventDestinations"] = list(_destinations(self.backend).get(name, {}).values())
        if "reputationOptions" in attribute_names:
            options = config_set.reputation_options or {}
            result["ReputationOptions"] = {
                "SendingEnabled": bool(options.get("SendingEnabled", True)),
                "ReputationMetricsEnabled": bool(options.get("ReputationMetricsEnabled", False)),
            }
        return ActionResult(result)

    def update_response(self: EmailResponse) -> Any:
        from moto.core.responses import EmptyResult

        self.backend.update_configuration_set_event_destination(
            self._get_param("ConfigurationSetName"), self._get_param("EventDestination", {})
        )
        return EmptyResult()

    def delete_response(self: EmailResponse) -> Any:
        from moto.core.responses import EmptyResult

        self.backend.delete_configuration_set_event_destination(
            self._get_param("ConfigurationSetName"), self._get_param("EventDestinationName")
        )
        return EmptyResult()

    set_attr(SESBackend, "create_configuration_set_event_destination", create_destination)
    set_attr(SESBackend, "update_configuration_set_event_destination", update_destination)
    set_attr(SESBackend, "delete_configuration_set_event_destination", delete_destination)
    set_attr(SESBackend, "delete_configuration_set", delete_configuration_set)
    set_attr(EmailResponse, "describe_configuration_set", describe_response)
    set_attr(EmailResponse, "update_configuration_set_event_destination", update_response)
    set_attr(EmailResponse, "delete_configuration_set_event_destination", delete_response)


@once
def configuration_set_sending_enabled() -> None:
    """UpdateConfigurationSetSendingEnabled switches sending with a set on or off.

    AWS: the switch is reported by DescribeConfigurationSet in ``ReputationOptions.SendingEnabled``
    (on by default), beside ``ReputationMetricsEnabled``.
    moto 5.2.5: not implemented (no method on ``EmailResponse``, moto/ses/responses.py), HTTP 500;
    UpdateConfigurationSetReputationMetricsEnabled stores its flag (moto/ses/models.py:1171) but
    DescribeConfigurationSet never reports either (moto/ses/responses.py:148).
    Fix: store the flag beside the reputation metrics flag; ``configuration_set_event_destinations``
    reports both.
    """
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    set_missing, _exists, _missing = _exceptions()

    def update_sending(self: SESBackend, configuration_set_name: str, enabled: bool) -> None:
        if configuration_set_name not in self.config_sets:
            raise set_missing(f"Configuration set <{configuration_set_name}> does not exist.")
        config_set = self.config_sets[configuration_set_name]
        config_set.reputation_options = {**(config_set.reputation_options or {}), "SendingEnabled": enabled}

    def update_sending_response(self: EmailResponse) -> Any:
        from moto.core.responses import EmptyResult

        self.backend.update_configuration_set_sending_enabled(
            self._get_param("ConfigurationSetName"), self._get_bool_param("Enabled", True)
        )
        return EmptyResult()

    set_attr(SESBackend, "update_configuration_set_sending_enabled", update_sending)
    set_attr(EmailResponse, "update_configuration_set_sending_enabled", update_sending_response)


@once
def identity_dkim_enabled() -> None:
    """SetIdentityDkimEnabled switches DKIM signing of an identity, and GetIdentityDkimAttributes reports it.

    AWS: ``DkimEnabled`` defaults to true and follows SetIdentityDkimEnabled.
    moto 5.2.5: SetIdentityDkimEnabled is not implemented (HTTP 500) and ``DkimEnabled`` is always true
    (moto/ses/models.py:1203).
    Fix: keep the identities switched off on the backend and report them.
    """
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    original = SESBackend.get_identity_dkim_attributes

    def get_identity_dkim_attributes(self: SESBackend, identities: list[str]) -> dict[str, dict[str, Any]]:
        result = original(self, identities)
        disabled = vars(self).setdefault("_dkim_disabled", set())
        for identity, attributes in result.items():
            attributes["DkimEnabled"] = identity not in disabled
        return result

    def set_identity_dkim_enabled(self: EmailResponse) -> Any:
        from moto.core.responses import EmptyResult

        disabled = vars(self.backend).setdefault("_dkim_disabled", set())
        identity = self._get_param("Identity")
        if self._get_bool_param("DkimEnabled", True):
            disabled.discard(identity)
        else:
            disabled.add(identity)
        return EmptyResult()

    set_attr(SESBackend, "get_identity_dkim_attributes", get_identity_dkim_attributes)
    set_attr(EmailResponse, "set_identity_dkim_enabled", set_identity_dkim_enabled)


@once
def templated_email_keeps_configuration_set() -> None:
    """SendTemplatedEmail with ``ConfigurationSetName`` sends with that set, which must exist.

    AWS: an unknown set is refused with ``ConfigurationSetDoesNotExist``; the set's event destinations
    then receive the email's events.
    moto 5.2.5: the parameter is never read (moto/ses/responses.py:79), so the sent message
    (``TemplateMessage``, moto/ses/models.py:90; listed in ``GET /moto-api/data.json``) does not say
    which set it used and an unknown set is accepted.
    Fix: check the set exists, then record ``configuration_set_name`` on the sent message.
    """
    from moto.ses.responses import EmailResponse

    original = EmailResponse.send_templated_email
    set_missing, _exists, _missing = _exceptions()

    def send_templated_email(self: EmailResponse) -> Any:
        name = self._get_param("ConfigurationSetName")
        if name and name not in self.backend.config_sets:
            raise set_missing(f"Configuration set <{name}> does not exist.")
        answer = original(self)
        if name:
            self.backend.sent_messages[-1].configuration_set_name = name
        return answer

    set_attr(EmailResponse, "send_templated_email", send_templated_email)


PATCHES = [
    configuration_set_event_destinations,
    configuration_set_sending_enabled,
    identity_dkim_enabled,
    templated_email_keeps_configuration_set,
]
