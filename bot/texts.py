"""What the bot says, in French (the default) and English; `t(key, lang, **values)` picks one.

Values are inserted as given: callers escape anything that comes from users or articles.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from telegram import User

if TYPE_CHECKING:
    from qabot.frontdoor import ReindexReport

TEXTS: dict[str, dict[str, str]] = {
    "web_link": {
        "fr": "Votre lien vers le pupitre (il ne sert qu'une fois et expire dans 10 minutes) :\n{link}",
        "en": "Your link to the desk (it works once and expires in 10 minutes):\n{link}",
    },
    "web_off": {
        "fr": "Le pupitre web n'est pas activé pour ce bot : la personne qui l'héberge doit lui donner un port (WEB_PORT).",
        "en": "The web desk is not switched on for this bot: whoever hosts it needs to give it a port (WEB_PORT).",
    },
    "web_private": {
        "fr": "Envoyez-moi /web en message privé : un lien de connexion ne se partage pas dans un groupe.",
        "en": "Send me /web in a private chat: a sign-in link is not for a group.",
    },
    "start": {
        "fr": (
            "Bonjour ! Je réponds à vos questions sur {articles} articles de presse"
            "{period}, en citant mes sources [n].\n\n"
            "Posez une question en une phrase, par exemple : <i>Que s'est-il passé à Alep ?</i>\n"
            "Touchez un bouton [n] sous une réponse pour lire le passage cité, puis l'article.\n"
            "Dans un groupe, mentionnez-moi (@{username}), répondez à l'un de mes messages ou "
            "utilisez /ask.\n\n/new oublie la conversation en cours · /help affiche ce message\n\n{privacy}"
        ),
        "en": (
            "Hello! I answer questions about {articles} news articles{period}, citing my "
            "sources [n].\n\n"
            "Ask a question in one sentence, for example: <i>What happened in Aleppo?</i>\n"
            "Tap a [n] button under an answer to read the cited passage, then the article.\n"
            "In a group, mention me (@{username}), reply to one of my messages or use /ask.\n\n"
            "/new forgets the current conversation · /help shows this message\n\n{privacy}"
        ),
    },
    "privacy_days": {
        "fr": "🔒 Je garde vos questions, mes réponses et vos votes {days} jours (pour les boutons, les "
        "questions de suivi et, sans votre nom, pour améliorer mes réponses) : /mydata vous les envoie, "
        "/forget les efface.",
        "en": "🔒 I keep your questions, my answers and your votes for {days} days (for the buttons, "
        "follow-up questions and, without your name, to improve my answers): /mydata sends them to you, "
        "/forget deletes them.",
    },
    "privacy_kept": {
        "fr": "🔒 Je garde vos questions, mes réponses et vos votes (pour les boutons, les questions de "
        "suivi et, sans votre nom, pour améliorer mes réponses) jusqu'à ce que vous les effaciez : /mydata "
        "vous les envoie, /forget les efface.",
        "en": "🔒 I keep your questions, my answers and your votes (for the buttons, follow-up questions "
        "and, without your name, to improve my answers) until you delete them: /mydata sends them to "
        "you, /forget deletes them.",
    },
    "forget_confirm": {
        "fr": "Effacer tout ce que je garde sur vous ? Vos questions et mes réponses dans toutes les "
        "discussions (réponses partagées comprises), vos votes, vos conversations et votre compteur de "
        "questions. C'est définitif.",
        "en": "Delete everything I keep about you? Your questions and my answers in every chat (shared "
        "answers included), your votes, your conversations and your question counter. This cannot be undone.",
    },
    "forget_yes": {"fr": "🗑️ Oui, tout effacer", "en": "🗑️ Yes, delete everything"},
    "forget_no": {"fr": "Annuler", "en": "Cancel"},
    "forget_kept": {"fr": "Rien n'a été effacé.", "en": "Nothing was deleted."},
    "forget_not_yours": {
        "fr": "Ce bouton est pour la personne qui a envoyé /forget : envoyez /forget vous-même pour vos données.",
        "en": "This button is for the person who sent /forget: send /forget yourself for your own data.",
    },
    "forget_done": {
        "fr": "🗑️ C'est fait. J'ai effacé :\n• {questions} question(s) avec mes réponses et {citations} "
        "passage(s) cité(s), dont {shared} posée(s) en mode inline (leurs liens de partage n'ouvrent plus "
        "rien)\n• {votes} vote(s), et {votes_on_theirs} vote(s) d'autres personnes sur vos réponses\n"
        "• {unanswered} question(s) restée(s) sans réponse\n• {turns} échange(s) de conversation\n"
        "• {rate_windows} compteur de questions{feeds}\n\nLes messages déjà échangés restent dans Telegram : "
        "vous pouvez les supprimer dans l'application.",
        "en": "🗑️ Done. I deleted:\n• {questions} question(s) with my answers and {citations} cited "
        "passage(s), {shared} of them asked inline (their shared links open nothing now)\n• {votes} vote(s), "
        "and {votes_on_theirs} vote(s) by other people on your answers\n• {unanswered} unanswered "
        "question(s)\n• {turns} conversation turn(s)\n• {rate_windows} question counter{feeds}\n\n"
        "Messages already exchanged stay in Telegram: you can delete them in the app.",
    },
    "forget_feeds": {
        "fr": "\n• votre nom sur {feeds} flux ajouté(s) par vous (ils restent suivis)",
        "en": "\n• your name on {feeds} feed(s) you added (they are still followed)",
    },
    "mydata_caption": {
        "fr": "Tout ce que je garde sur vous : {questions} question(s), {votes} vote(s), {turns} échange(s) "
        "de conversation. /forget l'efface.",
        "en": "Everything I keep about you: {questions} question(s), {votes} vote(s), {turns} conversation "
        "turn(s). /forget deletes it.",
    },
    "mydata_private": {
        "fr": "Vos données ne s'affichent pas dans un groupe : ouvrez notre discussion privée, je vous les y envoie.",
        "en": "Your data is not shown in a group: open our private chat and I will send it there.",
    },
    "mydata_open": {"fr": "🔒 Recevoir mes données en privé", "en": "🔒 Get my data privately"},
    "period": {"fr": " publiés {period}", "en": " published {period}"},
    "no_index": {
        "fr": "Je n'ai encore aucun article indexé : un administrateur doit lancer /reindex.",
        "en": "No article is indexed yet: an administrator needs to run /reindex.",
    },
    "index_unavailable": {
        "fr": "Ma bibliothèque d'articles n'est pas disponible pour le moment. Réessayez plus tard.",
        "en": "My library of articles is not available right now. Please try again later.",
    },
    "new": {"fr": "C'est noté, on repart de zéro.", "en": "Done, starting afresh."},
    "ask_usage": {
        "fr": "Écrivez votre question après /ask, par exemple : /ask Que s'est-il passé à Alep ?",
        "en": "Write your question after /ask, for example: /ask What happened in Aleppo?",
    },
    "too_long": {
        "fr": "Votre message est trop long ({length} caractères). Posez une question plus courte "
        "(au plus {limit} caractères).",
        "en": "Your message is too long ({length} characters). Please ask a shorter question "
        "(at most {limit} characters).",
    },
    "no_words": {
        "fr": "Je ne vois pas de question dans ce message. Écrivez-la en toutes lettres, par exemple : "
        "<i>Que s'est-il passé à Alep ?</i>",
        "en": "I see no question in this message. Please type it in words, for example: "
        "<i>What happened in Aleppo?</i>",
    },
    "small_talk_greeting": {
        "fr": "👋 Je réponds aux questions sur les articles de presse, sources à l'appui : posez la vôtre, "
        "par exemple <i>Que s'est-il passé à Alep ?</i>",
        "en": "👋 I answer questions about the news articles, with their sources: ask yours, for example "
        "<i>What happened in Aleppo?</i>",
    },
    "small_talk_thanks": {"fr": "👍 Une autre question ? Je suis là.", "en": "👍 Another question? I'm here."},
    "not_text": {
        "fr": "Je ne lis que le texte : écrivez votre question en toutes lettres.",
        "en": "I only read text: please type your question.",
    },
    "rate_limited": {
        "fr": "Doucement ! Vous avez posé beaucoup de questions. Réessayez dans {seconds} s.",
        "en": "Easy! You have asked a lot of questions. Try again in {seconds} s.",
    },
    "apology": {
        "fr": "Désolé, quelque chose s'est mal passé. Réessayez dans un instant.",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "empty_answer": {"fr": "(réponse vide)", "en": "(empty answer)"},
    "back_to_answer": {"fr": "↩️ Réponse", "en": "↩️ Answer"},
    "timeline_more": {"fr": "Suite ▶️ ({page}/{pages})", "en": "More ▶️ ({page}/{pages})"},
    "timeline_back": {"fr": "◀️ Précédent", "en": "◀️ Back"},
    "back_to_passage": {"fr": "↩️ Passage", "en": "↩️ Passage"},
    "read_article": {"fr": "📄 Lire l'article", "en": "📄 Read the article"},
    "open_original": {"fr": "🔗 Article original", "en": "🔗 Original article"},
    "latest": {"fr": "<b>Les derniers articles :</b>", "en": "<b>The latest articles:</b>"},
    "latest_topic": {"fr": "<b>Les derniers articles sur « {topic} » :</b>", "en": "<b>The latest articles on “{topic}”:</b>"},
    "feeds_heading": {"fr": "\n<b>Flux</b>", "en": "\n<b>Feeds</b>"},
    "feed_never": {"fr": "• {url} : pas encore lu", "en": "• {url}: not read yet"},
    "feed_ok": {"fr": "• {url} : lu le {when}, {items} articles", "en": "• {url}: read {when}, {items} articles"},
    "feed_error": {"fr": "• {url} : ⚠️ échec le {when} : {error}", "en": "• {url}: ⚠️ failed {when}: {error}"},
    "feeds_none": {"fr": "Aucun flux. Ajoutez-en un : /feeds add https://…", "en": "No feed. Add one: /feeds add https://…"},
    "feeds_usage": {"fr": "Usage : /feeds, /feeds add URL, /feeds remove URL", "en": "Usage: /feeds, /feeds add URL, /feeds remove URL"},
    "feed_bad_url": {"fr": "« {url} » n'est pas une adresse http(s) : envoyez l'adresse complète du flux RSS ou Atom.",
                     "en": "“{url}” is not an http(s) address: send the full address of the RSS or Atom feed."},
    "feed_added": {"fr": "Flux ajouté : {url}. Il sera lu au prochain passage.", "en": "Feed added: {url}. It will be read on the next pass."},
    "feed_known": {"fr": "Ce flux est déjà suivi : {url}", "en": "This feed is already followed: {url}"},
    "feed_removed": {"fr": "Flux retiré : {url}. Ses articles déjà lus restent.", "en": "Feed removed: {url}. Its articles already read stay."},
    "feed_unknown": {"fr": "Ce flux n'est pas suivi : {url}", "en": "This feed is not followed: {url}"},
    "feed_in_settings": {"fr": "Ce flux vient de la configuration du bot (FEEDS) : seul l'administrateur du serveur peut le retirer.",
                         "en": "This feed comes from the bot's configuration (FEEDS): only the server's administrator can remove it."},
    "feed_private": {
        "fr": "« {url} » est refusé : {host} est une adresse privée ou locale{address}, que le bot ne lit pas "
              "(elle donnerait accès au réseau où il tourne). Envoyez l'adresse publique du flux.",
        "en": "“{url}” is refused: {host} is a private or local address{address}, which the bot does not read "
              "(it would open the network it runs in). Send the feed's public address.",
    },
    "feed_unresolved": {
        "fr": "« {url} » est refusé : le nom {host} ne mène à aucune adresse. Vérifiez l'adresse du flux et renvoyez-la.",
        "en": "“{url}” is refused: the name {host} leads to no address. Check the feed's address and send it again.",
    },
    "feed_items_failed": {"fr": ", {count} éléments en échec", "en": ", {count} items failed"},
    "feed_item_error": {"fr": "   ◦ {reason}", "en": "   ◦ {reason}"},
    "feed_more_errors": {"fr": "   ◦ … et {count} autres", "en": "   ◦ … and {count} more"},
    "alert_feed": {
        "fr": "⚠️ Le flux {url} échoue depuis {count} passages : {error}\nVérifiez-le, ou retirez-le avec /feeds remove.",
        "en": "⚠️ The feed {url} has failed {count} polls in a row: {error}\nCheck it, or remove it with /feeds remove.",
    },
    "alert_feed_ok": {"fr": "✅ Le flux {url} est de nouveau lu.", "en": "✅ The feed {url} is read again."},
    "alert_reindex": {
        "fr": "⚠️ La réindexation a échoué : {reason}\nLes questions sont servies par l'index précédent ; "
              "relancez /reindex une fois la cause corrigée.",
        "en": "⚠️ The re-index failed: {reason}\nQuestions are answered from the previous index; "
              "run /reindex again once the cause is fixed.",
    },
    "alert_reindex_ok": {"fr": "✅ La réindexation fonctionne de nouveau.", "en": "✅ Re-indexing works again."},
    "alert_disk": {
        "fr": "⚠️ Disque presque plein ({where} ; seuil : {limit} Mo). Les flux ne sont plus lus et les "
              "réindexations ne démarrent plus tant que de la place n'est pas libérée.",
        "en": "⚠️ Disk nearly full ({where}; threshold: {limit} MB). Feeds are not read and re-indexes do not "
              "start until space is freed.",
    },
    "alert_disk_ok": {"fr": "✅ Il y a de nouveau assez de place sur le disque.", "en": "✅ There is enough disk space again."},
    "reindex_disk_full": {
        "fr": "Réindexation non lancée : le disque est presque plein. Les administrateurs ont été prévenus ; "
              "relancez /reindex une fois de la place libérée.",
        "en": "Re-index not started: the disk is nearly full. The admins were told; run /reindex again once space is freed.",
    },
    "latest_none": {"fr": "Aucun article daté pour l'instant.", "en": "No dated article yet."},
    "page_of": {"fr": "page {page}/{pages}", "en": "page {page}/{pages}"},
    "expired": {
        "fr": "Ce bouton n'est plus disponible.",
        "en": "This button is no longer available.",
    },
    "article_gone": {
        "fr": "Cet article n'est plus dans l'index.",
        "en": "This article is no longer in the index.",
    },
    "vote_thanks": {"fr": "Merci pour votre avis !", "en": "Thanks for your feedback!"},
    "admin_only": {
        "fr": "Cette commande est réservée aux administrateurs.",
        "en": "This command is for administrators only.",
    },
    "admin_only_upload": {
        "fr": "Seuls les administrateurs peuvent ajouter des articles. Posez plutôt une question en toutes lettres.",
        "en": "Only administrators can add articles. Ask a question in words instead.",
    },
    "reindex_started": {"fr": "Réindexation{full}…", "en": "Re-indexing{full}…"},
    "reindex_full": {"fr": " complète", "en": " (full)"},
    "reindex_progress": {"fr": "Réindexation{full}… {progress}", "en": "Re-indexing{full}… {progress}"},
    "reindex_done": {"fr": "✅ Réindexation terminée : {summary}", "en": "✅ Re-index done: {summary}"},
    "reindex_failed": {"fr": "❌ Réindexation échouée : {reason}", "en": "❌ Re-index failed: {reason}"},
    "reindex_busy": {
        "fr": "Une réindexation est déjà en cours ; attendez qu'elle se termine.",
        "en": "A re-index is already running; wait for it to finish.",
    },
    "upload_saved": {
        "fr": "📥 Article enregistré : <b>{name}</b> — « {title} »{date}, {chars} caractères.",
        "en": "📥 Article saved: <b>{name}</b> — “{title}”{date}, {chars} characters.",
    },
    "upload_replaced": {"fr": " (remplace le fichier du même nom)", "en": " (replaces the file of that name)"},
    "upload_exists": {
        "fr": "Un article nommé <b>{name}</b> existe déjà. Le remplacer par celui-ci, ou garder les deux ?",
        "en": "An article named <b>{name}</b> already exists. Replace it with this one, or keep both?",
    },
    "upload_replace": {"fr": "♻️ Remplacer", "en": "♻️ Replace"},
    "upload_keep_both": {"fr": "➕ Garder les deux", "en": "➕ Keep both"},
    "upload_chose_replace": {
        "fr": "♻️ <b>{name}</b> est remplacé par le fichier envoyé.",
        "en": "♻️ <b>{name}</b> is replaced by the file you sent.",
    },
    "upload_chose_both": {
        "fr": "➕ Les deux sont gardés : <b>{name}</b> reste tel quel, le fichier envoyé s'appelle <b>{written}</b>.",
        "en": "➕ Both kept: <b>{name}</b> stays as it was, the file you sent is named <b>{written}</b>.",
    },
    "upload_in_group": {
        "fr": "Je n'enregistre pas les articles envoyés dans un groupe : envoyez-moi le fichier en message privé "
        "(@{username}).",
        "en": "I do not save articles sent in a group: send me the file in a private message (@{username}).",
    },
    "upload_bad_type": {
        "fr": "Envoyez un fichier texte .txt ou .md.",
        "en": "Send a .txt or .md text file.",
    },
    "upload_too_large": {
        "fr": "Fichier trop volumineux ({size} octets ; la limite est de {limit} octets).",
        "en": "File too large ({size} bytes; the limit is {limit} bytes).",
    },
    "upload_unreadable": {
        "fr": "Fichier refusé : {reason}.",
        "en": "File refused: {reason}.",
    },
    "upload_header_ignored": {
        "fr": "⚠️ En-tête ignoré : {reason}. L'article est indexé comme texte brut, en-tête compris "
        "(son titre, sa date et sa source n'ont pas été lus) : corrigez l'en-tête et renvoyez le fichier.",
        "en": "⚠️ Header ignored: {reason}. The article is indexed as plain text, header included "
        "(its title, date and source were not read): fix the header and send the file again.",
    },
    "upload_busy": {
        "fr": "Fichier enregistré, mais une réindexation est en cours : relancez /reindex ensuite.",
        "en": "File saved, but a re-index is running: run /reindex once it is done.",
    },
    "status": {
        "fr": (
            "<b>État</b>\nArticles : {articles}\nPassages : {chunks}\nPériode : {period}\n"
            "Modèle d'embedding : {embedding}\nRéponses : {answerer}\n"
            "Dernière réindexation : {last}\nAujourd'hui : {answered} réponses, {declined} refus"
        ),
        "en": (
            "<b>Status</b>\nArticles: {articles}\nChunks: {chunks}\nPeriod: {period}\n"
            "Embedding model: {embedding}\nAnswerer: {answerer}\n"
            "Last re-index: {last}\nToday: {answered} answered, {declined} declined"
        ),
    },
    "never": {"fr": "jamais (depuis le démarrage)", "en": "never (since start)"},
    "unanswered_none": {"fr": "Aucune question sans réponse.", "en": "No unanswered question."},
    "unanswered_head": {
        "fr": "<b>Dernières questions sans réponse</b>",
        "en": "<b>Latest unanswered questions</b>",
    },


    "inline_open": {"fr": "📚 Voir les passages", "en": "📚 See the passages"},
    # Above an inline query's empty results (at most 64 characters): what makes it a question.
    "inline_finish": {"fr": "✍️ Terminez votre question par « ? »", "en": "✍️ End your question with “?”"},
    "inline_no_words": {"fr": "✍️ Écrivez votre question en toutes lettres", "en": "✍️ Type your question in words"},
    "inline_small_talk": {"fr": "✍️ Posez une question sur les articles", "en": "✍️ Ask a question about the articles"},
    "inline_too_long": {"fr": "✂️ Question trop longue (au plus {limit} caractères)",
                        "en": "✂️ Question too long (at most {limit} characters)"},
    "share_expired": {
        "fr": "Ce lien de réponse a expiré ou n'est pas valide. Posez la question ici, je vous répondrai.",
        "en": "This answer link has expired or is not valid. Ask the question here and I will answer.",
    },
    "reindex_summary": {
        "fr": "{added} ajouté(s), {changed} modifié(s), {removed} retiré(s), {unchanged} inchangé(s) ; "
        "{chunks} passages ({embedded} encodés) en {seconds} s",
        "en": "{added} added, {changed} changed, {removed} removed, {unchanged} unchanged; "
        "{chunks} chunks ({embedded} embedded) in {seconds} s",
    },
    "reindex_skipped": {"fr": " ; {count} fichier(s) ignoré(s)", "en": "; {count} file(s) skipped"},
    "reindex_warned": {
        "fr": " ; {count} fichier(s) indexé(s) sans leur en-tête (illisible)",
        "en": "; {count} file(s) indexed without their (unreadable) front matter",
    },
}

# What the article loader says (retrieval speaks English to the logs and the CLI), in French.
_REASONS_FR = [
    (re.compile(r"not valid UTF-8 \(byte (\d+)\)"), "ce n'est pas du texte UTF-8 valide (octet {0})"),
    (re.compile(r"binary file \(contains NUL bytes\)"), "fichier binaire (il contient des octets nuls)"),
    (re.compile(r"empty file"), "fichier vide"),
    (re.compile(r"front matter opened with '---' is never closed"), "l'en-tête ouvert par « --- » n'est jamais fermé"),
    (re.compile(r"front matter is not valid YAML \(line (\d+)\)"), "l'en-tête n'est pas du YAML valide (ligne {0})"),
    (re.compile(r"front matter is not valid YAML"), "l'en-tête n'est pas du YAML valide"),
    (re.compile(r"front matter is not a list of 'key: value' lines"), "l'en-tête n'est pas une liste de lignes « clé: valeur »"),
    (re.compile(r"front matter '(\w+)' is not text"), "le champ « {0} » de l'en-tête n'est pas du texte"),
    (re.compile(r"front matter date is no real date \((.*)\)"), "la date de l'en-tête n'existe pas ({0})"),
    (re.compile(r"front matter date (.*) is not YYYY-MM-DD \(a time may follow\)"),
     "la date {0} de l'en-tête n'est pas au format AAAA-MM-JJ (une heure peut suivre)"),
    (re.compile(r"front matter url (.*) holds a user name or password"),
     "l'adresse {0} de l'en-tête contient un nom d'utilisateur ou un mot de passe"),
    (re.compile(r"front matter url (.*) is not an http\(s\) address.*"), "l'adresse {0} de l'en-tête n'est pas une adresse http(s)"),
    (re.compile(r"front matter lang (.*) is not a language code such as fr or en"),
     "la langue {0} de l'en-tête n'est pas un code comme fr ou en"),
    (re.compile(r"front matter (.*)"), "en-tête YAML (front matter) invalide : {0}"),
]


def reason(text: str, lang: str) -> str:
    """A loader's refusal reason in the reader's language."""
    if lang == "fr":
        for pattern, french in _REASONS_FR:
            if match := pattern.fullmatch(text):
                return french.format(*match.groups())
    return text


def number(value: int, lang: str) -> str:
    """3 100 029 (narrow no-break spaces) in French, 3,100,029 in English."""
    return f"{value:,}".replace(",", "\u202f" if lang == "fr" else ",")


def reindex_summary(report: ReindexReport, lang: str) -> str:
    """The re-index report in the admin's language."""
    text = t(
        "reindex_summary", lang, added=report.added, changed=report.changed, removed=report.removed,
        unchanged=report.unchanged, chunks=number(report.chunks, lang), embedded=number(report.chunks_embedded, lang),
        seconds=f"{report.seconds:.1f}".replace(".", "," if lang == "fr" else "."),
    )
    if report.skipped:
        text += t("reindex_skipped", lang, count=len(report.skipped))
    if report.warnings:
        text += t("reindex_warned", lang, count=len(report.warnings))
    return text


def t(key: str, lang: str, **values: object) -> str:
    variants = TEXTS[key]
    template = variants.get(lang) or variants["fr"]
    return template.format(**values) if values else template


def language_of(user: User | None) -> str:
    """English for users whose Telegram is in English, French otherwise."""
    code = (user.language_code or "") if user else ""
    return "en" if code.lower().startswith("en") else "fr"
