"""What personal values look like in a captured page, and the last check that none is left.

IBANs, e-mail addresses, telephone numbers, tokens (long random strings, CSRF values, cookies),
account numbers (runs of 7 digits or more), amounts in euros, full dates: one expression
(`PATTERNS`) finds them all, each kind in its named group. `VOCABULARY` lists the sites'
interface words, which are never taken for names. `leaks` tells what still shows in a file.
"""

from __future__ import annotations

import re

from .._core.text import fold

__all__ = [
    "FAKE_DOMAINS",
    "FAKE_IBAN",
    "PATTERNS",
    "SECRET_NAME",
    "VOCABULARY",
    "WORD",
    "leaks",
    "looks_random",
    "slug",
]

_IBAN = r"\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_TOKEN = r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}(?![\w-])"  # noqa: S105
_PHONE = r"(?<!\d)(?:\+33[ .]?|0)[1-9](?:[ .]?\d{2}){4}(?!\d)"
_DIGITS = r"(?<![\d,])\d{7,}(?!\d)"
_AMOUNT = (
    r"(?P<sign>[-−–+]\s?)?(?P<int>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)"
    r"(?P<dec>,\d{2})?(?P<space>[ \u00a0\u202f]?)(?P<cur>€|EUR\b)"
)
_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"  # noqa: E501
_DATE = rf"\b\d{{1,2}}(?:[/.-]\d{{1,2}}[/.-]|\s(?:{_MONTHS})\s)(?P<year>(?:19|20)\d{{2}})\b"
WORD = r"(?<![\w’'-])[A-ZÀ-ÖØ-Þ][\w’'-]*"

PATTERNS = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in (
            ("iban", _IBAN),
            ("email", _EMAIL),
            ("token", _TOKEN),
            ("phone", _PHONE),
            ("amount", _AMOUNT),
            ("date", _DATE),
            ("digits", _DIGITS),
        )
    ),
    re.IGNORECASE,
)
_UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)
FAKE_IBAN = re.compile(r"\b[A-Z]{2}00(?:[ \u00a0]?0000){5}[ \u00a0]?\d{3}\b")
FAKE_DOMAINS = ("example.org", "example.com", "example.net")
# The names of fields, parameters and meta tags whose values are secrets.
SECRET_NAME = re.compile(r"csrf|xsrf|token|nonce|state|session|auth|signature", re.IGNORECASE)

# Words of the sites' interfaces (and the tutorial's), kept as they are even when capitalised.
_INTERFACE_WORDS = """
    A À Accueil Accès Actif Active Activer Actualiser Adresse Afficher Aide Ajouter Alerte
    Alertes Annuler Application Appliquer Après Association Associations Associé Associer
    Attention Au Aucun Aucune Aujourd’hui Authentification Authentifier Autoriser Autre Autres
    Avant Avec Banque Banques BIC Bienvenue Bonjour Budget Bouton CB CGU Carte Catégorie
    Catégories Ce Cette Changer Chargement Choisir Client Code Comment Compte Comptes
    Comptabilité Conditions Confidentialité Confirmer Confirmation Connecte Connecter Connexion
    Connexions Consentement Contact Contacts Continuer Coopératif Courant Crédit Créer
    Cotisations C’est DSP2 Dans Date Débit Déconnecter Déconnexion Dernier Dernière Des Détail
    Détails Données Du E-mail EUR Effacer En Enregistrer Entrée Envoyer Erreur Espace Et Euros
    Exemple Exporter FAQ Fermer Filtrer Forcer Gérer Historique Hist IBAN Ici Identifiant
    Identifiants Il Import Importer Imports Informations Introuvable Je Jour Journal La Lancer
    Le Les Linxo LinxoConnect AssoConnect Springly Livret Lire Mai Menu Merci Mes Mise Mode
    Modifier Mon Montant Mot Mots Moyen M’authentifier M’identifier Ne Non Notifications Nous
    Nouveau Nouvelle Numéro OK Opération Opérations Options Ou Oui Page Paramètres Par Parts Pas
    Passe Payer Personnel Plus Politique Populaire Pour Précédent Profil Programme PSD2 Quitter
    Rapprochement Rechercher Recevoir Recettes Réessayer Réessayez Relancer Rembourser Renvoyer
    Retour Revenir Sauvegarder Se Sécurisée Sécurité Sélection Sélectionner Services Sociales
    SMS Solde Statut Suivant Supprimer Titulaire Connect Accounts Adhésions Communauté Site
    Bilan Saisie Besoin Si Gestion Membres Événements Dons Boutique Documents Facturation
    Comptabilité Banque Remboursements Sur Synchronisation Synchronisations Synchronisé
    Synchroniser Tableau Télécharger Téléphone Tél Tous Toutes Transactions Trésorerie Type Un Une
    Utilisateur Valider Validez Vérification Vérifier Voir Votre Vos Vous
"""
VOCABULARY = frozenset(fold(word) for word in _INTERFACE_WORDS.split())


def looks_random(value: str) -> bool:
    """A session id, a CSRF value, an API key: long, letters and digits, no words in it.

    « 02-wwws-linxo-com-auth-page » is made of words; « aB3dE-fG7hI_jK9lM0nOpQ2r » is not.
    """
    if _UUID.fullmatch(value):
        return True
    pieces = re.split(r"[-_.]", value)
    longest = max(len(piece) for piece in pieces)
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return (longest >= 16 and digits >= 2 and letters >= 2) or (
        longest >= 6 and digits >= 3 and letters >= 6 and mixed_case
    )


def slug(text: str) -> str:
    """« Amicale Laïque » → « amicale-laique »: a name as addresses and file names write it."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def leaks(text: str) -> list[str]:
    """What in ``text`` still looks like an IBAN, an e-mail address or a token (the kinds, each
    once), fakes aside. Never the value itself: the caller's message must not carry it."""
    found: list[str] = []
    for match in PATTERNS.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "iban" and not FAKE_IBAN.fullmatch(value):
            found.append("un IBAN")
        elif kind == "email" and not value.lower().endswith(FAKE_DOMAINS):
            found.append("une adresse e-mail")
        elif kind == "token" and looks_random(value):
            found.append("un jeton")
    return list(dict.fromkeys(found))
