"""The words the page objects look for on each site, several accepted forms each."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import field_validator

from .base import Model

__all__ = ["AssoConnectProfile", "BankProfile", "LinxoProfile", "SiteProfile"]


def _labels(value: str | Sequence[str]) -> tuple[str, ...]:
    labels = (value,) if isinstance(value, str) else tuple(value)
    if not labels:
        raise ValueError("at least one label is needed")
    return labels


class BankProfile(Model):
    """How to recognise a bank's login and code pages: the visible labels of each field.

    Each field accepts several labels (any one may match); matching ignores case, accents,
    apostrophe style and spacing. The defaults fit most French banks.
    """

    identifier: tuple[str, ...] = ("Identifiant", "Identifiant client", "Numéro client")
    """Labels of the identifier field."""
    password: tuple[str, ...] = ("Mot de passe", "Code secret", "Code personnel")
    """Labels of the password field."""
    submit: tuple[str, ...] = ("Valider", "Se connecter", "Continuer", "Connexion")
    """Labels of the button sending the identifier and password."""
    code: tuple[str, ...] = ("Code reçu par SMS", "Code de sécurité", "Code SMS", "Code")
    """Labels of the one-time code field."""
    code_submit: tuple[str, ...] = ("Valider", "Confirmer", "Continuer")
    """Labels of the button sending the code."""
    wrong_password: tuple[str, ...] = (
        "mot de passe incorrect",
        "identifiant ou mot de passe incorrect",
        "identifiants incorrects",
    )
    """Texts by which the bank says the identifier or password is wrong."""
    wrong_code: tuple[str, ...] = ("code incorrect", "code erroné", "code invalide")
    """Texts by which the bank says the code is wrong."""
    app_validation: tuple[str, ...] = (
        "Validez l’opération dans votre application",
        "validation dans votre application",
        "Confirmez sur votre téléphone",
    )
    """Texts by which the bank asks to validate in its mobile app."""

    _as_tuple = field_validator(
        "identifier",
        "password",
        "submit",
        "code",
        "code_submit",
        "wrong_password",
        "wrong_code",
        "app_validation",
        mode="before",
    )(_labels)


class SiteProfile(Model):
    """What every site shows around its own pages: interstitials and the login form."""

    email: tuple[str, ...] = ("E-mail", "Adresse e-mail", "Email", "Adresse email", "Identifiant")
    """Labels of the login's e-mail field (a field of type e-mail is accepted too)."""
    password: tuple[str, ...] = ("Mot de passe",)
    """Labels of the login's password field (a password field is accepted too)."""
    next_step: tuple[str, ...] = ("Continuer", "Suivant", "Valider")
    """Buttons that send the e-mail alone when the password comes next."""
    login_refused: tuple[str, ...] = (
        "incorrect",
        "incorrects",
        "invalide",
        "erroné",
        "refusé",
        "n’est pas reconnu",
        "ne correspondent pas",
    )
    """Words by which a login page says the e-mail or the password is wrong."""
    refuse_cookies: tuple[str, ...] = (
        "Tout refuser",
        "Continuer sans accepter",
        "Refuser",
        "Refuser tout",
        "Je refuse",
    )
    """Answers to a cookie banner that refuse (always preferred)."""
    accept_cookies: tuple[str, ...] = ("Tout accepter", "Accepter", "J’accepte", "OK")
    """Answers to a cookie banner that has no way to refuse."""
    cookie_words: tuple[str, ...] = ("cookies", "cookie", "traceurs")
    """Words by which a banner is about cookies."""
    news_words: tuple[str, ...] = ("Nouveautés", "Nouveauté", "Quoi de neuf")
    """Words by which a pop-up is news, to be closed."""
    close: tuple[str, ...] = ("Fermer", "×", "✕", "✖", "Plus tard", "J’ai compris")
    """Controls that close a news pop-up."""
    busy: tuple[str, ...] = ("Chargement en cours", "Chargement", "Veuillez patienter")
    """Texts shown while the page is loading (nothing is clicked meanwhile)."""
    transient: tuple[str, ...] = (
        "réessayez plus tard",
        "réessayer plus tard",
        "temporairement indisponible",
        "service indisponible",
    )
    """Texts by which a site says it is unavailable for a while."""

    _as_tuple = field_validator(
        "email",
        "password",
        "next_step",
        "login_refused",
        "refuse_cookies",
        "accept_cookies",
        "cookie_words",
        "news_words",
        "close",
        "busy",
        "transient",
        mode="before",
    )(_labels)


class LinxoProfile(SiteProfile):
    """Every word the Linxo page objects look for, several accepted forms each.

    Defaults are the tutorial's words and what public sources show of Linxo; when Linxo renames
    something, override that field (in code, or in the configuration file's ``[linxo_profile]``).
    """

    login_submit: tuple[str, ...] = ("Je me connecte", "Se connecter", "Connexion", "Valider")
    """The login button."""
    code: tuple[str, ...] = ("Code", "Code de vérification", "Code de confirmation", "code reçu")
    """Labels of the field for the code Linxo sends by e-mail."""
    code_submit: tuple[str, ...] = ("Valider le code", "Valider", "Confirmer", "Continuer")
    """The button sending that code."""
    code_refused: tuple[str, ...] = (
        "Code de confirmation incorrect",
        "code incorrect",
        "code invalide",
        "code saisi a expiré",
    )
    """Texts by which Linxo refuses the code."""
    settings: tuple[str, ...] = ("Paramètres", "Réglages", "⚙")
    """The gear that opens the settings."""
    my_accounts: tuple[str, ...] = ("Mes comptes", "Profil & Comptes", "Profil et comptes")
    """The settings' entry listing the bank connections."""
    updated: tuple[str, ...] = ("Mise à jour", "Mis à jour", "Dernière mise à jour")
    """The words before a connection's last update (« Mise à jour: 28.01.24, 06h33 »)."""
    authenticate: tuple[str, ...] = ("M’authentifier", "S’authentifier", "Se réauthentifier")
    """The button that re-authenticates a connection, on its card and in the confirmation."""
    secure_connection: tuple[str, ...] = ("Connexion sécurisée",)
    """The title of the confirmation shown before going to the bank."""
    cancel: tuple[str, ...] = ("Annuler",)
    """The confirmation's way out (never clicked; tells the confirmation's two buttons apart)."""
    broken: tuple[str, ...] = (
        "authentifier",
        "nouvelle authentification",
        "authentification a échoué",
        "authentification est nécessaire",
        "réauthentification",
        "n’a pas pu être synchronisé",
        "action de votre part",
        "mettre à jour votre mot de passe",
        "information supplémentaire",
        "interrompue",
        "erreur",
        "échec",
        "a échoué",
        "n’était pas disponible",
        "expiré",
    )
    """Words of a connection's message that say it is broken (any message in a connection's
    card that holds one of them)."""

    _linxo_tuples = field_validator(
        "login_submit",
        "code",
        "code_submit",
        "code_refused",
        "settings",
        "my_accounts",
        "updated",
        "authenticate",
        "secure_connection",
        "cancel",
        "broken",
        mode="before",
    )(_labels)


class AssoConnectProfile(SiteProfile):
    """Every word the AssoConnect page objects look for, several accepted forms each.

    Defaults are the tutorial's words and what public sources show of AssoConnect; override a
    field (in code, or in the configuration file's ``[assoconnect_profile]``) when it changes.
    """

    email: tuple[str, ...] = ("Adresse e-mail", "E-mail", "Email", "Adresse email", "Identifiant")
    login_submit: tuple[str, ...] = ("Se connecter", "Connexion", "Continuer", "Je me connecte")
    """The login button (on a two-step login, the same button sends the e-mail first)."""
    chooser: tuple[str, ...] = (
        "Choisissez une association",
        "Choisir une association",
        "Sélectionnez une association",
        "Mes associations",
        "Vos associations",
    )
    """The title of a page or menu listing the associations to choose from."""
    switcher: tuple[str, ...] = (
        "Changer d’association",
        "Changer de structure",
        "Choisir une association",
        "Mes associations",
        "Changer",
    )
    """Controls that open the list of associations."""
    accounting: tuple[str, ...] = ("Comptabilité",)
    """The menu holding « Rapprochement bancaire »."""
    reconciliation: tuple[str, ...] = ("Rapprochement bancaire",)
    """The menu entry of the reconciliation pages."""
    import_tab: tuple[str, ...] = ("Import depuis votre banque",)
    """The tab listing the bank accounts and their Linxo link."""
    linxo_choice: tuple[str, ...] = ("Sélection du compte Linxo associé",)
    """The title of the list of Linxo accounts one account can be linked to."""
    save: tuple[str, ...] = ("Enregistrer",)
    """The button saving the Linxo account chosen."""
    saved: tuple[str, ...] = ("enregistré", "enregistrées", "enregistrée", "sauvegardé")
    """Words of the confirmation of a save."""
    more_options: tuple[str, ...] = ("Plus d’options",)
    """The toggle showing « Forcer la synchronisation »."""
    sync: tuple[str, ...] = ("Synchroniser",)
    """The button of « Forcer la synchronisation »."""
    sync_started: tuple[str, ...] = (
        "synchronisation a été lancée",
        "synchronisation a bien été lancée",
        "synchronisation lancée",
        "synchronisation est lancée",
        "synchronisation démarrée",
        "import a été lancé",
        "import lancé",
        "a bien été lancée",
        "a été lancée",
    )
    """Words of the confirmation that a sync started."""
    manage: tuple[str, ...] = ("Gérer ses comptes bancaires synchronisés avec Linxo",)
    """The link to the Linxo management page (the fallback)."""
    manage_sync: tuple[str, ...] = ("Lancer la synchronisation", "Synchroniser")
    """The button that syncs one account on the Linxo management page."""
    disconnect: tuple[str, ...] = ("Déconnecter", "Déconnecter votre compte Linxo")
    """Never clicked: known so that nothing near it is mistaken for something else."""
    active: tuple[str, ...] = ("Synchronisation active", "Connexion active")
    """Statuses of an account whose imports work."""
    running: tuple[str, ...] = ("Synchronisation en cours", "Import en cours")
    """Statuses of an account whose sync is running (never clicked again meanwhile)."""
    statuses: tuple[str, ...] = (
        "Erreur lors du dernier import",
        "En attente de vérification par Linxo",
        "En attente de consentement DSP2",
        "Compte bancaire introuvable",
        "Connexion manuelle",
        "Compte bancaire clos",
        "Erreur de synchronisation",
    )
    """The other statuses an account shows (as the page writes them)."""
    last_import: tuple[str, ...] = (
        "dernier import",
        "dernière synchronisation",
        "dernière mise à jour",
    )
    """The words before an account's last import date."""

    _asso_tuples = field_validator(
        "login_submit",
        "chooser",
        "switcher",
        "accounting",
        "reconciliation",
        "import_tab",
        "linxo_choice",
        "save",
        "saved",
        "more_options",
        "sync",
        "sync_started",
        "manage",
        "manage_sync",
        "disconnect",
        "active",
        "running",
        "statuses",
        "last_import",
        mode="before",
    )(_labels)
