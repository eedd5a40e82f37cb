"""Swedish guidance text. UI labels as in the Swedish Microsoft 365 and Microsoft Entra admin centers."""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    "word.or": "eller",
    "word.none": "inga",
    "word.unknown": "okänt",
    "rule.sku-not-allowed.title": "Produkten är inte tillåten",
    "rule.sku-not-allowed.describe": (
        "Användaren har en produkt som principen inte tillåter för den här gruppen av användare. Att byta till en "
        "tillåten produkt håller licenserna som avsett och undviker att ni betalar för fel abonnemang."
    ),
    "rule.sku-not-allowed.message": "{user} har {sku}, som principen inte tillåter här (tillåtet: {allowed}).",
    "rule.sku-forbidden.title": "Förbjuden produkt",
    "rule.sku-forbidden.describe": (
        "Principen förbjuder den här produkten för användaren. En förbjuden licens kostar pengar och kan ge "
        "åtkomst till tjänster som användaren inte ska ha."
    ),
    "rule.sku-forbidden.message": "{user} har {sku}, som principen förbjuder.",
    "rule.sku-required-missing.title": "Obligatorisk produkt saknas",
    "rule.sku-required-missing.describe": (
        "Användaren har ingen av de produkter som principen kräver och kan därför sakna tjänster som behövs i "
        "arbetet."
    ),
    "rule.sku-required-missing.message": "{user} har ingen av de obligatoriska produkterna ({required}).",
    "rule.sku-combination-forbidden.title": "Förbjuden produktkombination",
    "rule.sku-combination-forbidden.describe": (
        "Användaren har produkter som enligt principen inte får kombineras, oftast för att den ena redan ingår i "
        "den andra och organisationen betalar två gånger."
    ),
    "rule.sku-combination-forbidden.message": (
        "{user} har {combination} samtidigt, en kombination som principen förbjuder."
    ),
    "rule.assignment-not-group-based.title": "Licensen är inte tilldelad via en grupp",
    "rule.assignment-not-group-based.describe": (
        "Principen förväntar sig att den här produkten kommer från en grupp. Direkta tilldelningar glöms lätt bort "
        "när personer byter arbete eller slutar."
    ),
    "rule.assignment-not-group-based.message": "{user} har fått {sku} tilldelad direkt i stället för via en grupp.",
    "rule.spare-seats-over-limit.title": "För många oanvända licenser",
    "rule.spare-seats-over-limit.describe": (
        "Organisationen betalar för fler licenser än som används, utöver den marginal som principen tillåter."
    ),
    "rule.spare-seats-over-limit.message": (
        "{sku}: {unused} av {enabled} licenser är oanvända; principen tillåter högst {limit}."
    ),
    "rule.spare-seats-over-limit.message.renewal": (
        "{sku}: {unused} av {enabled} licenser är oanvända; principen tillåter högst {limit}. Minska med "
        "{excess} vid förnyelsen {date}."
    ),
    "rule.spare-seats-under-minimum.title": "För få lediga licenser",
    "rule.spare-seats-under-minimum.describe": (
        "Det finns färre lediga licenser än den buffert som principen kräver, så nyanställda kanske inte får en "
        "licens i tid."
    ),
    "rule.spare-seats-under-minimum.message": (
        "{sku}: {unused} av {enabled} licenser är lediga; principen kräver minst {min}."
    ),
    "rule.spare-seats-under-minimum.message.over": (
        "{sku}: {consumed} licenser är tilldelade, men bara {enabled} finns tillgängliga."
    ),
    "rule.sku-not-approved.title": "Produkten är inte godkänd",
    "rule.sku-not-approved.describe": (
        "Klientorganisationen har en produkt som principen inte godkänner; den kan ha köpts eller startats som "
        "utvärderingsversion utanför den vanliga processen."
    ),
    "rule.sku-not-approved.message": (
        "{sku} finns inte på principens lista över godkända produkter ({enabled} licenser, {consumed} tilldelade)."
    ),
    "rule.seats-in-grace.title": "Licenser i respitperioden",
    "rule.seats-in-grace.describe": (
        "Prenumerationen har gått ut och licenserna är i respitperioden: de fungerar fortfarande, men "
        "användarna förlorar åtkomsten när den stängs av."
    ),
    "rule.seats-in-grace.message": "{sku}: {count} licenser är i respitperioden och upphör {date} om de inte förnyas.",
    "rule.seats-in-grace.message.undated": "{sku}: {count} licenser är i respitperioden och upphör om de inte förnyas.",
    "rule.license-suspended.title": "Licenser för en avstängd produkt",
    "rule.license-suspended.describe": (
        "Användare har licenser för en produkt vars prenumeration är avstängd eller låst, så de har förlorat "
        "eller håller på att förlora dess tjänster."
    ),
    "rule.license-suspended.message": (
        "{sku}: {count} av {consumed} tilldelade licenser är avstängda eller låsta; deras användare har "
        "förlorat eller håller på att förlora åtkomsten."
    ),
    "rule.disabled-user-licensed.title": "Blockerad användare har licenser",
    "rule.disabled-user-licensed.describe": (
        "Kontot är blockerat från inloggning men tar fortfarande upp en betald licens."
    ),
    "rule.disabled-user-licensed.message": "{user} är blockerad från inloggning men har fortfarande {sku}.",
    "rule.inactive-user-licensed.title": "Inaktiv användare har licenser",
    "rule.inactive-user-licensed.describe": (
        "Kontot har inte använts på länge men tar fortfarande upp en betald licens."
    ),
    "rule.inactive-user-licensed.message": (
        "{user} har {sku} men har inte loggat in på minst {days} dagar (senaste inloggning: {last_sign_in})."
    ),
    "rule.inactive-user-licensed.message.never": (
        "{user} har {sku} men har aldrig loggat in (gräns: {days} dagar)."
    ),
    "rule.inactive-user-licensed.message.attempts": (
        "{user} har {sku} men har inte lyckats logga in på minst {days} dagar (senaste lyckade inloggning: "
        "{last_sign_in}); inloggningsförsök pågick till {last_attempt}, så kontrollera kontots inloggningsloggar."
    ),
    "rule.inactive-user-licensed.message.never.attempts": (
        "{user} har {sku} men har aldrig lyckats logga in (gräns: {days} dagar); inloggningsförsök gjordes "
        "till {last_attempt}, så kontrollera kontots inloggningsloggar."
    ),
    "rule.license-assigned-twice.title": "Produkt tilldelad två gånger",
    "rule.license-assigned-twice.describe": (
        "Användaren har en produkt både direkt och från en grupp. Den direkta tilldelningen tillför oftast "
        "inget och har blivit kvar efter en övergång till gruppbaserad licensiering, men den kan aktivera "
        "tjänster som gruppens tilldelning har stängt av."
    ),
    "rule.license-assigned-twice.message": "{user} har {sku} både direkt och från en grupp.",
    "rule.license-redundant.title": "Produkten tillför inget utöver en annan",
    "rule.license-redundant.describe": (
        "Alla tjänster som den här produkten aktiverar för användaren är redan aktiverade av en annan produkt "
        "som användaren har, med samma tjänstplan eller en högre plan av samma tjänst (Exchange Online (Plan 1) "
        "bredvid Microsoft 365 E3). Att ta bort den tar inte bort något, och ni slutar betala för den."
    ),
    "rule.license-redundant.message": "{cover} aktiverar redan alla tjänster i {sku} för {user}.",
    "rule.license-redundant.message.several": (
        "Andra produkter som {user} har aktiverar redan alla tjänster i {sku}."
    ),
    "summary.redundant": "{cover} ger redan {user} alla tjänster i {sku}: ta bort {sku}.",
    "summary.redundant_group": (
        "{sku} kommer från gruppen {group}, och {cover} ger redan {user} alla dess tjänster: ta bort {user} ur "
        "gruppen, eller ta bort {sku} från gruppens licenser."
    ),
    "summary.redundant_same_group": (
        "Gruppen {group} ger {user} både {sku} och {cover}, och {cover} aktiverar redan alla tjänster i {sku}: "
        "ta bort {sku} från gruppens licenser."
    ),
    "steps.redundant.keep": (
        "{cover} finns kvar och behåller alla tjänster som {sku} aktiverar för {user} (samma tjänstplan eller en "
        "högre plan av samma tjänst), så när {sku} tas bort stängs inget av."
    ),
    "steps.redundant.same_group": (
        "Gruppen {group} tilldelar även {cover}, så om {user} tas bort ur gruppen försvinner även {cover}. "
        "Kontrollera i stället att gruppens {cover} aktiverar alla tjänster som gruppens {sku} gör, och gå sedan "
        "i administrationscentret för Microsoft Entra till Grupper > Alla grupper > {group} > Licenser, markera "
        "{sku} och välj Ta bort licens."
    ),
    "graph.remove_redundant": "Tar bort {sku} från {user}; produkten som täcker den finns kvar.",
    "rule.guest-licensed.title": "Gäst har licenser",
    "rule.guest-licensed.describe": (
        "En gäst utanför organisationen har en betald licens i den här klientorganisationen; gäster behöver sällan "
        "någon."
    ),
    "rule.guest-licensed.message": "Gästen {user} har {sku}.",
    "rule.shared-mailbox-licensed.title": "Delad postlåda har licenser",
    "rule.shared-mailbox-licensed.describe": (
        "En delad postlåda, rumspostlåda eller utrustningspostlåda tar upp en betald licens. En sådan postlåda "
        "fungerar utan licens, om den inte rymmer mer än 50 GB, har ett arkiv eller omfattas av juridiskt bevarande "
        "eller en bevarandeprincip."
    ),
    "rule.shared-mailbox-licensed.message": (
        "{user} är en delad postlåda men har {sku}; en licens behövs bara över 50 GB, med ett arkiv eller vid "
        "bevarande."
    ),
    "rule.shared-mailbox-licensed.message.room": (
        "{user} är en rumspostlåda men har {sku}; en licens behövs bara över 50 GB, med ett arkiv eller vid "
        "bevarande."
    ),
    "rule.shared-mailbox-licensed.message.equipment": (
        "{user} är en utrustningspostlåda men har {sku}; en licens behövs bara över 50 GB, med ett arkiv eller vid "
        "bevarande."
    ),
    "message.shared_mailbox_unknown": (
        "Det gick inte att avgöra om detta är en delad postlåda, rums- eller utrustningspostlåda, som oftast inte "
        "behöver någon licens."
    ),
    "summary.shared_mailbox": (
        "En delad postlåda, rums- eller utrustningspostlåda behöver ingen licens, om den inte rymmer mer än 50 GB, "
        "har ett arkiv eller omfattas av bevarande: kontrollera det först."
    ),
    "steps.shared.check": (
        "I administrationscentret för Exchange går du till Mottagare > Postlådor och väljer {user}.",
        "Se hur mycket postlådan rymmer och om arkivet är aktiverat: över 50 GB eller med ett arkiv behåller den "
        "sin licens.",
        "Kontrollera i Microsoft Purview-portalen om juridiskt bevarande, bevarande för eDiscovery eller en "
        "bevarandeprincip omfattar {user}: en postlåda som bevaras behåller sin licens.",
        "Ta bara bort licensen om inget av detta gäller, enligt stegen nedan; postlådan fortsätter att fungera utan "
        "den.",
    ),
    "steps.mailbox.unknown": (
        "Postlådeinställningarna för {user} gick inte att läsa (appen behöver MailboxSettings.Read). Kontrollera i "
        "administrationscentret för Exchange under Mottagare > Postlådor om det är en delad postlåda, rums- eller "
        "utrustningspostlåda; i så fall behövs en licens bara om den rymmer mer än 50 GB, har ett arkiv eller "
        "omfattas av bevarande."
    ),
    "link.shared_mailbox": "Om delade postlådor",
    "rule.license-assignment-error.title": "Fel vid licenstilldelning",
    "rule.license-assignment-error.describe": (
        "Microsoft Entra ID kunde inte tillämpa licensen helt, så användaren kan sakna tjänster."
    ),
    "rule.license-assignment-error.message": "Det gick inte att tillämpa {sku} på {user}: felet {error}.",
    "rule.license-assignment-error.message.partial": (
        "{sku} är aktiv för {user}, men kunde inte tillämpas fullt ut (fel {error})."
    ),
    "rule.license-assignment-error.message.disabled": (
        "Tilldelningen av {sku} till {user} är inaktiverad och rapporterar felet {error}."
    ),
    "rule.group-license-errors.title": "Grupp med fel vid licenstilldelning",
    "rule.group-license-errors.describe": (
        "Microsoft Entra ID kunde inte ge vissa medlemmar i gruppen de licenser som gruppen tilldelar. Åtgärden "
        "börjar vid gruppen: dess sida Licenser visar medlemmarna med fel."
    ),
    "rule.group-license-errors.message": (
        "Licenserna från gruppen {group} kunde inte tillämpas på en del av medlemmarna (medlemmar i denna "
        "granskning: {count}; fel: {errors})."
    ),
    "rule.group-license-errors.message.uncounted": (
        "Microsoft Entra ID rapporterar medlemmar i gruppen {group} där gruppens licenser inte kunde tillämpas."
    ),
    "rule.usage-location-missing.title": "Användningsplats saknas",
    "rule.usage-location-missing.describe": (
        "Licenser kan bara tilldelas en användare som har en användningsplats, eftersom utbudet av tjänster beror "
        "på landet."
    ),
    "rule.usage-location-missing.message": "{user} har ingen användningsplats.",
    "rule.subscription-expiring.title": "Prenumerationen upphör",
    "rule.subscription-expiring.describe": (
        "När en prenumeration upphör förlorar användarna dess tjänster och, efter en respitperiod, tillhörande data."
    ),
    "rule.subscription-expiring.message.trial": (
        "Utvärderingsversionen {subject} upphör {date} ({days_left} dagar kvar)."
    ),
    "rule.subscription-expiring.message.paid": "Prenumerationen {subject} upphör {date} ({days_left} dagar kvar).",
    "rule.subscription-expiring.message.warning": (
        "Prenumerationen {subject} har gått ut och är i sin respitperiod: användarna har åtkomst tills den "
        "stängs av {date}."
    ),
    "rule.subscription-expiring.message.warning.undated": (
        "Prenumerationen {subject} har gått ut och är i sin respitperiod: användarna har fortfarande åtkomst."
    ),
    "rule.subscription-expiring.message.suspended": (
        "Prenumerationen {subject} är avstängd: användarna har förlorat åtkomsten, och den tas bort {date}."
    ),
    "rule.subscription-expiring.message.suspended.undated": (
        "Prenumerationen {subject} är avstängd: användarna har förlorat åtkomsten."
    ),
    "rule.subscription-expiring.message.lockedout": (
        "Prenumerationen {subject} är låst: användarna har förlorat åtkomsten, och den tas bort {date}."
    ),
    "rule.subscription-expiring.message.lockedout.undated": (
        "Prenumerationen {subject} är låst: användarna har förlorat åtkomsten."
    ),
    "rule.subscription-expiring.message.past": (
        "Prenumerationen {subject} nådde sitt slutdatum {date} och har statusen {status}."
    ),
    "rule.subscription-expiring.message.past.undated": (
        "Prenumerationen {subject} har upphört och har statusen {status}."
    ),
    "rule.waiver-expired.title": "Undantaget har gått ut",
    "rule.waiver-expired.describe": (
        "Ett överenskommet undantag från principen har gått ut, så det fynd som det täckte räknas igen."
    ),
    "rule.waiver-expired.message": (
        "Undantaget för {waiver_rule} på {waiver_subject} (ägare: {owner}) gick ut {expires}."
    ),
    "rule.cross-tenant-duplicate.title": "Licenser i flera klientorganisationer",
    "rule.cross-tenant-duplicate.describe": (
        "Samma person har samma produkt i mer än en av organisationens klientorganisationer, och var och en "
        "betalar för den."
    ),
    "rule.cross-tenant-duplicate.message": "{identity} har {sku} i flera klientorganisationer: {tenants}.",
    "rule.seats-rebalance-across-tenants.title": "Oanvända licenser i en klientorganisation, brist i en annan",
    "rule.seats-rebalance-across-tenants.describe": (
        "En klientorganisation betalar för oanvända licenser av en produkt som en annan har för få av. Licenser kan "
        "inte överföras mellan klientorganisationer, så lösningen är att ta bort licenser i den ena och köpa dem i "
        "den andra."
    ),
    "rule.seats-rebalance-across-tenants.message": "{sku}: oanvända licenser i {surplus}; för få i {shortage}.",
    "summary.remove": "Ta bort {sku} från {user}.",
    "summary.remove_group": (
        "{sku} kommer från gruppen {group}: ändra gruppmedlemskapet för {user} eller gruppens licenser, inte "
        "användaren."
    ),
    "summary.remove_mixed": (
        "Ta bort {direct} direkt från {user}; {grouped} kommer från en grupp och måste ändras via gruppen."
    ),
    "summary.replace": "Ersätt {old} med {new} för {user} i ett steg.",
    "summary.replace_group": (
        "{old} kommer från gruppen {group}: flytta {user} till en grupp som tilldelar {new} i stället."
    ),
    "summary.not_allowed": "Flytta {user} från {sku} till en tillåten produkt ({allowed}), eller ta bort {sku}.",
    "summary.assign": "Ge {user} en av de obligatoriska produkterna: {sku}.",
    "summary.to_group.redundant": (
        "{user} får även {sku} från gruppen {group}, så den direkta tilldelningen är överflödig: ta bort den."
    ),
    "summary.to_group.loss": (
        "{user} får även {sku} från gruppen {group}, men om du tar bort den direkta tilldelningen stängs "
        "{plans} av: aktivera dem först i gruppens licenser."
    ),
    "steps.group.redundant": (
        "{sku}: gruppen {group} ger redan {user} alla tjänster som den direkta tilldelningen aktiverar, så ta"
        " bara bort den direkta tilldelningen; gruppens tilldelning finns kvar."
    ),
    "steps.group.loss": (
        "{sku}: ta inte bort den direkta tilldelningen än. Den aktiverar {plans}, som tilldelningen från "
        "{group} har stängt av. Aktivera dem i gruppens licensinställningar (administrationscentret för "
        "Microsoft Entra > Grupper > Alla grupper > {group} > Licenser), vänta tills gruppen har bearbetats "
        "och ta sedan bort den direkta tilldelningen."
    ),
    "graph.remove_direct": (
        "Ta bort den direkta tilldelningen av {sku}; gruppens tilldelning finns kvar."
    ),
    "summary.to_group": (
        "Lägg till {user} i den grupp som ska tilldela {sku} och ta sedan bort den direkta tilldelningen."
    ),
    "summary.combination": "Bestäm vilken produkt av {combination} som {user} behåller och ta bort resten.",
    "summary.seats_over": (
        "Tilldela de oanvända {sku}-licenserna på nytt, eller ta bort {excess} av dem från prenumerationen."
    ),
    "summary.seats_over.renewal": (
        "Tilldela de oanvända {sku}-licenserna på nytt, eller minska prenumerationen med {excess} vid "
        "förnyelsen {date}: licenser på en prenumeration med bindningstid kan bara minskas vid förnyelse."
    ),
    "summary.seats_under": "Frigör eller köp {sku}-licenser så att minst {min} förblir lediga.",
    "summary.seats_short": (
        "Fler {sku}-licenser är tilldelade än köpta ({short} för få): köp fler eller frigör några nu."
    ),
    "summary.grace": (
        "{count} {sku}-licenser upphör {date} om de inte förnyas: förnya prenumerationen, eller minska "
        "antalet licenser som används innan dess."
    ),
    "summary.grace.undated": (
        "{count} {sku}-licenser är i respitperioden och upphör om de inte förnyas: förnya prenumerationen, "
        "eller minska antalet licenser som används."
    ),
    "summary.suspended": (
        "{count} användare har {sku}-licenser som är avstängda eller låsta: de har förlorat eller håller på "
        "att förlora åtkomsten. Återaktivera prenumerationen, eller flytta dem till en annan produkt."
    ),
    "steps.grace.reduce": (
        "Om licenserna inte längre behövs tar du bort {count} av dem från användare innan de upphör, så att "
        "ingen förlorar åtkomsten oväntat."
    ),
    "summary.not_approved": (
        "Godkänn {sku} i principen, eller flytta användarna till en godkänd produkt och ta sedan bort licenserna "
        "eller avbryt prenumerationen."
    ),
    "summary.error.CountViolation": (
        "Det finns inte tillräckligt med {sku}-licenser: frigör några eller köp fler och bearbeta sedan {user} igen."
    ),
    "summary.error.MutuallyExclusiveViolation": (
        "En tjänst i {sku} står i konflikt med en tjänst som {user} redan har från en annan produkt: bestäm vilken "
        "användaren behåller och bearbeta sedan igen."
    ),
    "summary.error.DependencyViolation": (
        "Det går inte att ta bort {sku} från {user}: en annan produkt som {user} har innehåller en tjänst som"
        " är beroende av {sku}. Ta bort den produkten först, eller behåll {sku}, och bearbeta sedan igen."
    ),
    "summary.error.UniquenessViolation": (
        "Ett annat objekt använder en av proxyadresserna för {user}: åtgärda den dubblerade adressen och bearbeta "
        "sedan igen."
    ),
    "summary.error.usage": (
        "{sku} är inte tillgänglig på användningsplatsen för {user}: rätta platsen om den är fel; annars kan "
        "användaren inte ha {sku} där. Bearbeta sedan igen."
    ),
    "summary.error.other": (
        "Det gick inte att tillämpa {sku} på {user} ({error}): läs felet på användarens sida Licenser, åtgärda "
        "orsaken och bearbeta sedan igen."
    ),
    "summary.error.partial": "{sku} är aktiv för {user}, men alla delar av den kunde inte tillämpas.",
    "summary.group_errors": (
        "Medlemmar i gruppen {group} fick inte alla gruppens licenser (i denna granskning: {count}): öppna "
        "gruppens sida Licenser, åtgärda varje orsak och bearbeta sedan gruppen igen."
    ),
    "summary.group_errors.uncounted": (
        "Medlemmar i gruppen {group} fick inte alla gruppens licenser: öppna gruppens sida Licenser, åtgärda varje "
        "orsak och bearbeta sedan gruppen igen."
    ),
    "summary.usage": "Ange en användningsplats för {user}; utan den kan inga licenser tilldelas.",
    "summary.sub_trial": (
        "Köp den betalda prenumerationen innan utvärderingsversionen {subject} upphör {date}, eller flytta "
        "användarna och låt den upphöra."
    ),
    "summary.sub_paid": (
        "Förnya {subject} eller aktivera återkommande fakturering före {date}, eller flytta användarna och låt den "
        "upphöra."
    ),
    "summary.sub_past": (
        "{subject} har redan passerat sitt slutdatum (status {status}): återaktivera den, eller flytta användarna "
        "innan de förlorar åtkomst och data."
    ),
    "summary.waiver": "Förnya undantaget tillsammans med dess ägare ({owner}), eller åtgärda fyndet som det täckte.",
    "summary.cross_tenant": (
        "Licenser kan inte överföras mellan klientorganisationer: bestäm var {identity} behåller {sku} och ta bort "
        "den i de andra."
    ),
    "summary.rebalance": (
        "Licenser kan inte överföras mellan klientorganisationer: ta bort de oanvända {sku}-licenserna i {surplus} "
        "och köp de som saknas i {shortage}."
    ),
    "steps.remove.worldwide": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Välj {user} och öppna fliken Licenser och appar.",
        "Avmarkera rutan för {sku} under Licenser och välj sedan Spara ändringar.",
    ),
    "steps.remove.legacy": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Välj {user}; välj Redigera på raden Produktlicenser till höger.",
        "Ställ reglaget för {sku} på Av och välj sedan Spara > Stäng > Stäng.",
    ),
    "steps.remove.entra": (
        "I administrationscentret för Microsoft Entra går du till Användare > Alla användare och väljer {user}.",
        "Öppna Licenser, markera {sku} och välj Ta bort licens.",
    ),
    "steps.replace.worldwide": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Markera cirkeln bredvid {user}.",
        "Välj Fler alternativ (...) högst upp och sedan Hantera produktlicenser.",
        "I fönstret Hantera produktlicenser väljer du Ersätt befintliga produktlicenstilldelningar > Nästa.",
        "Ställ reglaget på På för {new} och för varje annan produkt som {user} behåller; ställ de tjänster som "
        "användaren inte ska ha på Av.",
        "Längst ned i fönstret Ersätt befintliga produkter väljer du Ersätt > Stäng.",
    ),
    "steps.replace.legacy": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Markera kryssrutan bredvid {user}.",
        "I fönstret Massåtgärder väljer du Redigera produktlicenser.",
        "I fönstret Tilldela produkter väljer du Ersätt befintliga produktlicenstilldelningar > Nästa.",
        "Ställ reglaget på På för {new} och för varje annan produkt som {user} behåller; ställ de tjänster som "
        "användaren inte ska ha på Av.",
        "Längst ned i fönstret Ersätt befintliga produkter väljer du Ersätt > Stäng > Stäng.",
    ),
    "steps.replace.caution": (
        "Ersättningen tar bort alla licenser som {user} hade tidigare, även {old}: bara det du ställt på På finns kvar."
    ),
    "steps.assign.worldwide": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Välj {user} och öppna fliken Licenser och appar.",
        "Om inget är valt under Välj plats väljer du det land där användaren arbetar.",
        "Markera rutan för {sku} under Licenser och välj sedan Spara ändringar.",
    ),
    "steps.assign.legacy": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Välj {user}; välj Redigera på raden Produktlicenser till höger.",
        "Ställ reglaget för {sku} på På och välj sedan Spara > Stäng > Stäng.",
    ),
    "steps.group.explain": (
        "{sku} når {user} via gruppen {group}; en licens som en grupp tilldelar kan inte tas bort från en enskild "
        "användare."
    ),
    "steps.group.membership": (
        "Bara för {user}: i administrationscentret för Microsoft Entra går du till Grupper > Alla grupper > "
        "{group} > Medlemmar, markerar {user} och väljer Ta bort."
    ),
    "steps.group.license": (
        "Om ingen medlem i {group} ska ha {sku}: gå till Grupper > Alla grupper > {group} > Licenser, markera "
        "{sku} och välj Ta bort licens."
    ),
    "steps.group.add": (
        "Om produkten ska komma från en grupp: i administrationscentret för Microsoft Entra går du till Grupper > "
        "Alla grupper, öppnar gruppen som tilldelar {sku}, väljer Medlemmar > Lägg till medlemmar och lägger till "
        "{user}."
    ),
    "steps.group.wait": (
        "Vänta tills sidan Licenser för {user} visar {sku} som ärvd från gruppen innan du tar bort den direkta "
        "tilldelningen."
    ),
    "steps.group.replace": (
        "Lägg till {user} i en grupp som tilldelar {new} (Grupper > Alla grupper > gruppen > Medlemmar > Lägg till "
        "medlemmar) och ta sedan bort användaren från {group}."
    ),
    "steps.data.keep": (
        "Spara innan du tar bort licensen det som organisationen fortfarande behöver, till exempel genom att "
        "konvertera postlådan till en delad postlåda eller lägga den på bevarande och kopiera OneDrive-filer; en "
        "postlåda utan licens tas bort efter en respitperiod."
    ),
    "steps.disabled.confirm": (
        "Bekräfta att {user} ska förbli blockerad, till exempel för att personen har slutat."
    ),
    "steps.inactive.confirm": (
        "Bekräfta med chefen för {user} att kontot inte längre behövs; om det behövs, registrera ett undantag i "
        "stället."
    ),
    "steps.guest.confirm": (
        "Den mesta gäståtkomsten kräver ingen licens i din klientorganisation: bekräfta om {user} verkligen "
        "behöver {sku}."
    ),
    "summary.loss.data": "Spara data innan du tar bort {sku} från {user}: borttagningen skulle stänga av {plans}.",
    "steps.loss.data": (
        "Det är {sku} som slår på {plans} för {user}; inget annat som {user} behåller gör det. Tar du bort "
        "den försvinner postlådan, arkivet eller OneDrive-filerna som hör till. Spara därför data först "
        "(konvertera till exempel postlådan till en delad postlåda, eller flytta e-post och filer) eller ge "
        "{user} en produkt som innehåller dem, och ta bort {sku} först därefter."
    ),
    "steps.combination.keep": "{keep} slår redan på allt som {sku} gör för {user}: behåll {keep} och ta bort {sku}.",
    "steps.combination.choose": (
        "Bestäm vilken produkt av {combination} som {user} ska behålla; om den ena redan ingår i den andra, behåll "
        "den större."
    ),
    "steps.seats.reassign": "Ge de oanvända {sku}-licenserna till användare som väntar på en.",
    "steps.seats.remove": (
        "Om de inte tilldelas på nytt: i administrationscentret för Microsoft 365 går du till Fakturering > Dina "
        "produkter.",
        "Välj prenumerationen som innehåller {sku} och välj sedan Ta bort licenser.",
        "Ange det nya totala antalet licenser ({target}) och välj sedan Spara.",
    ),
    "steps.seats.free": (
        "Frigör {sku}-licenser från konton som inte längre behöver dem (se fynden om blockerade, inaktiva och "
        "gästanvändare)."
    ),
    "steps.seats.buy": (
        "Annars köper du fler: i administrationscentret för Microsoft 365 går du till Fakturering > Dina produkter.",
        "Välj prenumerationen som innehåller {sku} och välj sedan Köp licenser.",
        "Ange det totala antal licenser du behöver ({target}) och slutför köpet.",
    ),
    "steps.not_approved.review": (
        "Bestäm med principens ägare om {sku} ska godkännas; i så fall lägger du till den bland principens "
        "godkända produkter."
    ),
    "steps.not_approved.cancel": (
        "När ingen har den längre avbryter du prenumerationen (Fakturering > Dina produkter > välj {sku} > Avbryt "
        "prenumerationen) eller tar bort dess licenser."
    ),
    "steps.move.worldwide": (
        "Flytta användarna som har {sku} till en annan produkt: Användare > Aktiva användare ({url}) > markera dem "
        "> Fler alternativ (...) > Hantera produktlicenser > Ersätt befintliga produktlicenstilldelningar > Nästa "
        "> ställ den nya produkten på På > Ersätt > Stäng."
    ),
    "steps.move.legacy": (
        "Flytta användarna som har {sku} till en annan produkt: Användare > Aktiva användare ({url}) > markera dem "
        "> Massåtgärder > Redigera produktlicenser > Ersätt befintliga produktlicenstilldelningar > Nästa > ställ "
        "den nya produkten på På > Ersätt > Stäng > Stäng."
    ),
    "steps.error.CountViolation": (
        "Frigör {sku}-licenser från användare som inte längre behöver dem, eller köp fler: Fakturering > Dina "
        "produkter > välj prenumerationen > Köp licenser."
    ),
    "steps.error.MutuallyExclusiveViolation": (
        "Bestäm vilken av de motstridiga produkterna som {user} behåller och ta bort den andra, eller stäng av den "
        "motstridiga tjänsten."
    ),
    "steps.error.DependencyViolation": (
        "Leta upp produkten vars tjänsteplan behöver en tjänst i {sku} (användarens sida Licenser anger den),"
        " ta bort den eller stäng av tjänsten först, och ta först därefter bort {sku}; vid gruppbaserad "
        "licensiering ändrar du båda grupperna samtidigt."
    ),
    "steps.error.UniquenessViolation": (
        "Hitta det andra objektet som använder samma proxyadress (till exempel i administrationscentret för "
        "Exchange) och ändra eller ta bort dubbletten."
    ),
    "steps.error.other": (
        "I administrationscentret för Microsoft Entra går du till Användare > Alla användare > {user} > Licenser "
        "och läser felet för {sku}."
    ),
    "steps.error.group": (
        "Licensen kommer från gruppen {group}, så andra medlemmar kan ha samma fel: se gruppens sida Licenser i "
        "administrationscentret för Microsoft Entra."
    ),
    "steps.error.ProhibitedInUsageLocationViolation": (
        "Kontrollera användningsplatsen för {user}. Är det inte där användaren arbetar anger du rätt plats enligt "
        "nedan. Stämmer den erbjuds {sku} inte där: ta i stället bort {user} från tilldelningen (vid en "
        "grupplicens: ur gruppen) i stället för att ändra platsen."
    ),
    "steps.group_errors.open": (
        "I administrationscentret för Microsoft Entra går du till Grupper > Alla grupper > {group} > Licenser: "
        "meddelandet där visar medlemmarna med fel; markera en medlem för att se felet."
    ),
    "steps.group_errors.cause": (
        "{error}, berörda medlemmar: {count}. Varje medlems resultat om fel vid licenstilldelning förklarar "
        "orsaken och åtgärden."
    ),
    "steps.group_errors.fix": (
        "Åtgärda orsaken för varje medlem enligt felet: frigör eller köp licenser, välj mellan motstridiga "
        "produkter eller tjänster, rätta användningsplatser eller dubblerade proxyadresser."
    ),
    "steps.group_errors.reprocess": (
        "Välj sedan Bearbeta igen på sidan Licenser för {group}, så att Microsoft Entra ID tillämpar gruppens "
        "licenser på medlemmarna på nytt."
    ),
    "steps.reprocess": (
        "Bearbeta sedan igen: i administrationscentret för Microsoft Entra går du till Användare > Alla användare "
        "> {user} > Licenser och väljer Bearbeta igen."
    ),
    "steps.usage.worldwide": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Välj {user} och öppna fliken Licenser och appar.",
        "Under Välj plats väljer du det land där användaren arbetar och sedan Spara ändringar.",
    ),
    "steps.usage.legacy": (
        "I administrationscentret för Microsoft 365 går du till Användare > Aktiva användare ({url}).",
        "Välj {user}; välj Redigera på raden Produktlicenser till höger.",
        "Under Plats väljer du det land där användaren arbetar och sedan Spara > Stäng > Stäng.",
    ),
    "steps.usage.sync": (
        "Om konton synkroniseras från en lokal katalog anger du användningsplatsen även där, så att nya konton får "
        "en från början."
    ),
    "steps.sub.status": (
        "Warning betyder att prenumerationen har gått ut och är i sin respitperiod (användarna har fortfarande "
        "åtkomst); Suspended betyder att den är inaktiverad (användarna har förlorat åtkomsten, administratörer "
        "kan fortfarande säkerhetskopiera data)."
    ),
    "steps.sub.reactivate": (
        "För att behålla den: i administrationscentret för Microsoft 365 går du till Fakturering > Dina produkter, "
        "väljer {sku} och återaktiverar eller förnyar den."
    ),
    "steps.sub.trial": (
        "För att behålla den: i administrationscentret för Microsoft 365 går du till Fakturering > Dina produkter, "
        "väljer utvärderingsversionen {sku} och köper den betalda prenumerationen före {date}."
    ),
    "steps.sub.paid": (
        "För att behålla den: i administrationscentret för Microsoft 365 går du till Fakturering > Dina produkter, "
        "väljer {sku} och aktiverar Återkommande fakturering, eller förnyar den före {date}."
    ),
    "steps.sub.lapse": (
        "För att låta den upphöra: stäng av Återkommande fakturering eller avbryt den när ingen användare är "
        "beroende av den; säkerhetskopiera först de data du fortfarande behöver."
    ),
    "steps.waiver.ask": "Fråga {owner} om undantaget för {waiver_rule} på {waiver_subject} fortfarande behövs.",
    "steps.waiver.renew": (
        "Om ja, ge undantaget ett nytt slutdatum och en aktuell motivering i principfilen och låt ändringen granskas."
    ),
    "steps.waiver.fix": (
        "Om nej, ta bort undantaget och åtgärda fyndet enligt vägledningen för {waiver_rule}."
    ),
    "steps.transfer.fact": (
        "Licenser kan inte överföras från en klientorganisation till en annan; varje klientorganisation behöver "
        "egna."
    ),
    "steps.transfer.decide": (
        "Bestäm i vilken klientorganisation {identity} behåller {sku} och ta bort licensen från kontot i de andra "
        "(Användare > Aktiva användare > användaren > Licenser och appar)."
    ),
    "steps.transfer.vlsc": (
        "Om ni köper via ett volymlicensavtal kontaktar du Volume Licensing Service Center om licenserna."
    ),
    "steps.transfer.cancel": (
        "Om klientorganisationen ni flyttar från inte ska användas längre avbryter du dess prenumeration "
        "(Fakturering > Dina produkter) och köper licenserna i den klientorganisation som behöver dem."
    ),
    "steps.transfer.remove": (
        "Om den klientorganisationen fortsätter att användas tar du bort de licenser den inte längre behöver "
        "(Fakturering > Dina produkter > Ta bort licenser) för att sänka kostnaden och köper samma antal i den andra."
    ),
    "steps.transfer.migrate": (
        "När personer flyttar till den andra klientorganisationen migrerar du även deras postlådor "
        "(postlådemigrering mellan klientorganisationer) och deras SharePoint-data (migrering av molninnehåll)."
    ),
    "role.assign": "Global administratör, licensadministratör eller användaradministratör",
    "role.group": (
        "Global administratör, licensadministratör eller användaradministratör; en gruppadministratör eller "
        "gruppens ägare kan också ändra medlemmarna"
    ),
    "role.billing_assign": (
        "Faktureringsadministratör eller global administratör för köp, borttagning och förnyelse; global "
        "administratör, licensadministratör eller användaradministratör för licenstilldelning"
    ),
    "role.transfer": (
        "Faktureringsadministratör eller global administratör i varje klientorganisation; Exchange-administratör "
        "och SharePoint-administratör för datamigreringen"
    ),
    "role.waiver": "Den som förvaltar principfilen, tillsammans med undantagets ägare",
    "next.freed": (
        "Tilldela de frigjorda licenserna till användare som behöver dem, eller ta bort dem från prenumerationen "
        "(Fakturering > Dina produkter > Ta bort licenser) så att ni inte betalar för fler licenser än ni behöver."
    ),
    "next.partner": (
        "Om licenserna köptes via en partner eller ett volymlicensavtal ändrar partnern eller Volume Licensing "
        "Service Center antalet åt er."
    ),
    "next.transfer_cost": (
        "Kontrollera efteråt antalet licenser i varje berörd klientorganisation så att ingen betalar för licenser "
        "den inte använder."
    ),
    "next.rerun": "Kör granskningen igen för att bekräfta att fyndet är åtgärdat.",
    "graph.remove": "Tar bort den direkt tilldelade {sku} från {user}.",
    "graph.remove_or_replace": (
        "Tar bort {sku} från {user}; för att ersätta den i samma anrop anger du den tillåtna produktens skuId i "
        "addLicenses."
    ),
    "graph.replace": (
        "Ett anrop för {user} lägger till {new} och tar bort {old} samtidigt, så att användaren aldrig står utan "
        "licens."
    ),
    "graph.add": "Tilldelar {sku} till {user}; användaren behöver först en användningsplats.",
    "graph.membership": (
        "Tar bort {user} från gruppen {group}; licenserna som gruppen tilldelar gäller då inte längre för "
        "användaren."
    ),
    "graph.membership_many": (
        "Tar bort {user} från en av grupperna som tilldelar {sku} ({group}); upprepa för var och en, eftersom "
        "licensen finns kvar så länge någon av dem tilldelar den."
    ),
    "graph.membership_lookup": (
        "Tar bort {user} från gruppen {group}; slå först upp gruppens id och sätt in det i sökvägen."
    ),
    "graph.remove_after_group": (
        "Tar bort den direkta tilldelningen av {sku} när gruppens licens är aktiv för {user}."
    ),
    "graph.reprocess": "Får Microsoft Entra ID att tillämpa licenserna för {user} igen när orsaken är åtgärdad.",
    "graph.group_errors": "Visar de medlemmar i {group} där gruppens licenser inte kunde tillämpas.",
    "graph.usage": (
        "Anger användningsplatsen för {user}; ersätt XX med landskoden på två bokstäver (ISO 3166-1), till exempel SE."
    ),
    "graph.reassign": (
        "Tilldelar en oanvänd {sku}-licens till en användare som behöver den (sätt in användarens id i sökvägen). "
        "Graph kan inte ändra antalet köpta licenser; gör det i administrationscentret."
    ),
    "graph.holders": "Visar användarna som har {sku}.",
    "graph.combination": "Tar bort {sku} från {user}; {keep} finns kvar och täcker den.",
    "graph.cross_remove": (
        "Körs i den klientorganisation där licensen inte behövs: tar bort {sku} från {user} där."
    ),
    "link.move_users": "Flytta användare till en annan prenumeration",
    "link.assign_licenses": "Tilldela licenser till användare",
    "link.unassign_licenses": "Ta bort licenser från användare",
    "link.buy_licenses": "Köpa eller ta bort licenser",
    "link.admin_roles": "Om administratörsroller i administrationscentret för Microsoft 365",
    "link.cancel_subscription": "Avbryta din prenumeration",
    "link.renew_subscription": "Förnya din prenumeration",
    "link.subscription_ends": "Vad händer med mina data och min åtkomst när min prenumeration upphör?",
    "link.group_licensing": "Tilldela licenser till användare via gruppmedlemskap",
    "link.group_problems": "Identifiera och lösa problem med licenstilldelning för en grupp",
    "link.resolve_find": "Lösa licensproblem för en grupp: hitta fel vid licenstilldelning",
    "link.resolve_count": "Lösa licensproblem för en grupp: inte tillräckligt med licenser",
    "link.resolve_conflict": "Lösa licensproblem för en grupp: motstridiga tjänsteplaner",
    "link.resolve_dependency": "Lösa licensproblem för en grupp: andra produkter är beroende av den här licensen",
    "link.resolve_location": "Lösa licensproblem för en grupp: användningsplatsen är inte tillåten",
    "link.resolve_proxy": "Lösa licensproblem för en grupp: dubblerade proxyadresser",
    "link.resolve_reprocess": "Lösa licensproblem för en grupp: framtvinga bearbetning av grupplicenser",
    "link.vlsc": "Volume Licensing Service Center",
    "link.mailbox_migration": "Migrera postlådor mellan klientorganisationer",
    "link.sharepoint_migration": "Migrera SharePoint-data",
}
