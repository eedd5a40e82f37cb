"""Danish guidance text. UI labels as in the Danish Microsoft 365 Administration and Microsoft Entra."""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    "word.or": "eller",
    "word.none": "ingen",
    "word.unknown": "ukendt",
    "rule.sku-not-allowed.title": "Produkt ikke tilladt",
    "rule.sku-not-allowed.describe": (
        "Brugeren har et produkt, som politikken ikke tillader for denne gruppe af brugere. Et skift til et "
        "tilladt produkt holder licenserne som tiltænkt og undgår betaling for den forkerte plan."
    ),
    "rule.sku-not-allowed.message": "{user} har {sku}, som politikken ikke tillader her (tilladt: {allowed}).",
    "rule.sku-forbidden.title": "Forbudt produkt",
    "rule.sku-forbidden.describe": (
        "Politikken forbyder dette produkt for brugeren. En forbudt licens koster penge og kan give adgang til "
        "tjenester, brugeren ikke bør have."
    ),
    "rule.sku-forbidden.message": "{user} har {sku}, som politikken forbyder.",
    "rule.sku-required-missing.title": "Påkrævet produkt mangler",
    "rule.sku-required-missing.describe": (
        "Brugeren har ingen af de produkter, politikken kræver, og mangler måske tjenester, der er nødvendige for "
        "arbejdet."
    ),
    "rule.sku-required-missing.message": "{user} har ingen af de påkrævede produkter ({required}).",
    "rule.sku-combination-forbidden.title": "Forbudt produktkombination",
    "rule.sku-combination-forbidden.describe": (
        "Brugeren har produkter, som ifølge politikken ikke må kombineres, som regel fordi det ene allerede "
        "indeholder det andet, så organisationen betaler to gange."
    ),
    "rule.sku-combination-forbidden.message": (
        "{user} har {combination} på samme tid, en kombination som politikken forbyder."
    ),
    "rule.assignment-not-group-based.title": "Licens ikke tildelt via en gruppe",
    "rule.assignment-not-group-based.describe": (
        "Politikken forventer, at dette produkt kommer fra en gruppe. Direkte tildelinger glemmes let, når folk "
        "skifter job eller stopper."
    ),
    "rule.assignment-not-group-based.message": "{user} har fået {sku} tildelt direkte i stedet for via en gruppe.",
    "rule.spare-seats-over-limit.title": "For mange ubrugte licenser",
    "rule.spare-seats-over-limit.describe": (
        "Organisationen betaler for flere licenser, end der bruges, ud over den margen politikken tillader."
    ),
    "rule.spare-seats-over-limit.message": (
        "{sku}: {unused} af {enabled} licenser er ubrugte; politikken tillader højst {limit}."
    ),
    "rule.spare-seats-over-limit.message.renewal": (
        "{sku}: {unused} af {enabled} licenser er ubrugte; politikken tillader højst {limit}. Reducer med "
        "{excess} ved fornyelsen {date}."
    ),
    "rule.spare-seats-under-minimum.title": "For få ledige licenser",
    "rule.spare-seats-under-minimum.describe": (
        "Der er færre ledige licenser end den buffer, politikken kræver, så nye medarbejdere får måske ikke en "
        "licens i tide."
    ),
    "rule.spare-seats-under-minimum.message": (
        "{sku}: {unused} af {enabled} licenser er ledige; politikken kræver mindst {min}."
    ),
    "rule.spare-seats-under-minimum.message.over": (
        "{sku}: {consumed} licenser er tildelt, men kun {enabled} er tilgængelige."
    ),
    "rule.sku-not-approved.title": "Produkt ikke godkendt",
    "rule.sku-not-approved.describe": (
        "Lejeren har et produkt, som politikken ikke godkender; det kan være købt eller startet som prøveversion "
        "uden om den normale proces."
    ),
    "rule.sku-not-approved.message": (
        "{sku} er ikke på politikkens liste over godkendte produkter ({enabled} licenser, {consumed} tildelt)."
    ),
    "rule.seats-in-grace.title": "Licenser i henstandsperioden",
    "rule.seats-in-grace.describe": (
        "Abonnementet er udløbet, og licenserne er i henstandsperioden: de virker stadig, men brugerne mister"
        " adgangen, når det suspenderes."
    ),
    "rule.seats-in-grace.message": (
        "{sku}: {count} licenser er i henstandsperioden og udløber {date}, medmindre de fornyes."
    ),
    "rule.seats-in-grace.message.undated": (
        "{sku}: {count} licenser er i henstandsperioden og udløber, medmindre de fornyes."
    ),
    "rule.license-suspended.title": "Licenser til et suspenderet produkt",
    "rule.license-suspended.describe": (
        "Brugere har licenser til et produkt, hvis abonnement er suspenderet eller låst, så de har mistet "
        "eller er ved at miste dets tjenester."
    ),
    "rule.license-suspended.message": (
        "{sku}: {count} af {consumed} tildelte licenser er suspenderet eller låst; deres brugere har mistet "
        "eller er ved at miste adgangen."
    ),
    "rule.disabled-user-licensed.title": "Blokeret bruger har licenser",
    "rule.disabled-user-licensed.describe": "Kontoen er blokeret for logon, men optager stadig en betalt licens.",
    "rule.disabled-user-licensed.message": "{user} er blokeret for logon, men har stadig {sku}.",
    "rule.inactive-user-licensed.title": "Inaktiv bruger har licenser",
    "rule.inactive-user-licensed.describe": (
        "Kontoen har ikke været brugt i lang tid, men optager stadig en betalt licens."
    ),
    "rule.inactive-user-licensed.message": (
        "{user} har {sku}, men har ikke logget på i mindst {days} dage (seneste logon: {last_sign_in})."
    ),
    "rule.inactive-user-licensed.message.never": (
        "{user} har {sku}, men har aldrig logget på (grænse: {days} dage)."
    ),
    "rule.inactive-user-licensed.message.attempts": (
        "{user} har {sku}, men har ikke logget på med succes i mindst {days} dage (seneste vellykkede logon: "
        "{last_sign_in}); der var logonforsøg indtil {last_attempt}, så tjek kontoens logonlogge."
    ),
    "rule.inactive-user-licensed.message.never.attempts": (
        "{user} har {sku}, men har aldrig logget på med succes (grænse: {days} dage); der var logonforsøg "
        "indtil {last_attempt}, så tjek kontoens logonlogge."
    ),
    "rule.license-assigned-twice.title": "Produkt tildelt to gange",
    "rule.license-assigned-twice.describe": (
        "Brugeren har et produkt både direkte og fra en gruppe. Den direkte tildeling tilføjer som regel "
        "intet og er blevet tilbage efter et skift til gruppebaseret licensering, men den kan slå tjenester "
        "til, som gruppens tildeling har slået fra."
    ),
    "rule.license-assigned-twice.message": "{user} har {sku} både direkte og fra en gruppe.",
    "rule.license-redundant.title": "Produkt tilføjer intet ud over et andet",
    "rule.license-redundant.describe": (
        "Alle tjenester, som dette produkt slår til for brugeren, er allerede slået til af et andet produkt, "
        "brugeren har, med samme serviceplan eller en højere plan af samme tjeneste (Exchange Online (Plan 1) "
        "ved siden af Microsoft 365 E3). Fjernes det, mistes intet, og man holder op med at betale for det."
    ),
    "rule.license-redundant.message": "{cover} slår allerede alle tjenester i {sku} til for {user}.",
    "rule.license-redundant.message.several": (
        "Andre produkter, som {user} har, slår allerede alle tjenester i {sku} til."
    ),
    "summary.redundant": "{cover} giver allerede {user} alle tjenester i {sku}: fjern {sku}.",
    "summary.redundant_group": (
        "{sku} kommer fra gruppen {group}, og {cover} giver allerede {user} alle dets tjenester: tag {user} ud "
        "af gruppen, eller fjern {sku} fra gruppens licenser."
    ),
    "summary.redundant_same_group": (
        "Gruppen {group} giver {user} både {sku} og {cover}, og {cover} slår allerede alle tjenester i {sku} til: "
        "fjern {sku} fra gruppens licenser."
    ),
    "steps.redundant.keep": (
        "{cover} bliver og holder alle de tjenester til, som {sku} slår til for {user} (samme serviceplan eller "
        "en højere plan af samme tjeneste), så når {sku} fjernes, slås intet fra."
    ),
    "steps.redundant.same_group": (
        "Gruppen {group} tildeler også {cover}, så hvis {user} tages ud af den, forsvinder {cover} også. Kontrollér "
        "i stedet, at gruppens {cover} slår alle de tjenester til, som gruppens {sku} gør, og gå derefter i "
        "Microsoft Entra Administration til Grupper > Alle grupper > {group} > Licenser, vælg {sku}, og vælg "
        "Fjern licens."
    ),
    "graph.remove_redundant": "Fjerner {sku} fra {user}; det produkt, der dækker det, bliver.",
    "rule.guest-licensed.title": "Gæst har licenser",
    "rule.guest-licensed.describe": (
        "En gæst uden for organisationen har en betalt licens i denne lejer; gæster har sjældent brug for en."
    ),
    "rule.guest-licensed.message": "Gæsten {user} har {sku}.",
    "rule.shared-mailbox-licensed.title": "Delt postkasse har licenser",
    "rule.shared-mailbox-licensed.describe": (
        "En delt postkasse, lokalepostkasse eller udstyrspostkasse optager en betalt licens. Sådan en postkasse "
        "fungerer uden licens, medmindre den fylder mere end 50 GB, har et arkiv eller er i venteposition af "
        "juridiske grunde eller på grund af en opbevaringspolitik."
    ),
    "rule.shared-mailbox-licensed.message": (
        "{user} er en delt postkasse, men har {sku}; den kræver kun en licens over 50 GB, med et arkiv eller i "
        "venteposition."
    ),
    "rule.shared-mailbox-licensed.message.room": (
        "{user} er en lokalepostkasse, men har {sku}; den kræver kun en licens over 50 GB, med et arkiv eller i "
        "venteposition."
    ),
    "rule.shared-mailbox-licensed.message.equipment": (
        "{user} er en udstyrspostkasse, men har {sku}; den kræver kun en licens over 50 GB, med et arkiv eller i "
        "venteposition."
    ),
    "message.shared_mailbox_unknown": (
        "Det kunne ikke afgøres, om dette er en delt postkasse, lokale- eller udstyrspostkasse; sådan en postkasse "
        "kræver som regel ingen licens."
    ),
    "summary.shared_mailbox": (
        "En delt postkasse, lokale- eller udstyrspostkasse kræver ingen licens, medmindre den fylder mere end 50 GB, "
        "har et arkiv eller er i venteposition: kontrollér det først."
    ),
    "steps.shared.check": (
        "Gå til Modtagere > Postkasser i Exchange Administration, og vælg {user}.",
        "Se, hvor meget postkassen fylder, og om arkivet er slået til: over 50 GB eller med et arkiv beholder den "
        "sin licens.",
        "Kontrollér i Microsoft Purview-portalen, om en procesretlig venteposition, en eDiscovery-venteposition "
        "eller en opbevaringspolitik omfatter {user}: en postkasse i venteposition beholder sin licens.",
        "Fjern kun licensen, hvis intet af dette gælder, som beskrevet nedenfor; postkassen virker fortsat uden den.",
    ),
    "steps.mailbox.unknown": (
        "Postkasseindstillingerne for {user} kunne ikke læses (appen skal have MailboxSettings.Read). Kontrollér "
        "under Modtagere > Postkasser i Exchange Administration, om det er en delt postkasse, lokale- eller "
        "udstyrspostkasse; hvis det er, kræver den kun en licens, når den fylder mere end 50 GB, har et arkiv eller "
        "er i venteposition."
    ),
    "link.shared_mailbox": "Om delte postkasser",
    "rule.license-assignment-error.title": "Fejl ved licenstildeling",
    "rule.license-assignment-error.describe": (
        "Microsoft Entra ID kunne ikke anvende licensen helt, så brugeren mangler måske tjenester."
    ),
    "rule.license-assignment-error.message": "Anvendelsen af {sku} på {user} mislykkedes med fejlen {error}.",
    "rule.license-assignment-error.message.partial": (
        "{sku} er aktiv for {user}, men kunne ikke anvendes fuldt ud (fejl {error})."
    ),
    "rule.license-assignment-error.message.disabled": (
        "Tildelingen af {sku} til {user} er deaktiveret og melder fejlen {error}."
    ),
    "rule.group-license-errors.title": "Gruppe med fejl ved licenstildeling",
    "rule.group-license-errors.describe": (
        "Microsoft Entra ID kunne ikke give nogle medlemmer af denne gruppe gruppens licenser. Rettelsen starter "
        "ved gruppen: dens side Licenser viser medlemmerne med fejl."
    ),
    "rule.group-license-errors.message": (
        "Licenserne fra gruppen {group} kunne ikke anvendes på en del af medlemmerne (medlemmer i denne revision: "
        "{count}; fejl: {errors})."
    ),
    "rule.group-license-errors.message.uncounted": (
        "Microsoft Entra ID melder om medlemmer af gruppen {group}, hvor gruppens licenser ikke kunne anvendes."
    ),
    "rule.usage-location-missing.title": "Anvendelsesplacering mangler",
    "rule.usage-location-missing.describe": (
        "Licenser kan kun tildeles en bruger med en anvendelsesplacering, fordi udbuddet af tjenester afhænger af "
        "landet."
    ),
    "rule.usage-location-missing.message": "{user} har ingen anvendelsesplacering.",
    "rule.subscription-expiring.title": "Abonnement udløber",
    "rule.subscription-expiring.describe": (
        "Når et abonnement udløber, mister brugerne dets tjenester og efter en frist også de tilhørende data."
    ),
    "rule.subscription-expiring.message.trial": "Prøveversionen {subject} slutter {date} ({days_left} dage tilbage).",
    "rule.subscription-expiring.message.paid": "Abonnementet {subject} slutter {date} ({days_left} dage tilbage).",
    "rule.subscription-expiring.message.warning": (
        "Abonnementet {subject} er udløbet og er i sin henstandsperiode: brugerne har adgang, indtil det "
        "suspenderes {date}."
    ),
    "rule.subscription-expiring.message.warning.undated": (
        "Abonnementet {subject} er udløbet og er i sin henstandsperiode: brugerne har stadig adgang."
    ),
    "rule.subscription-expiring.message.suspended": (
        "Abonnementet {subject} er suspenderet: brugerne har mistet adgangen, og det slettes {date}."
    ),
    "rule.subscription-expiring.message.suspended.undated": (
        "Abonnementet {subject} er suspenderet: brugerne har mistet adgangen."
    ),
    "rule.subscription-expiring.message.lockedout": (
        "Abonnementet {subject} er låst: brugerne har mistet adgangen, og det slettes {date}."
    ),
    "rule.subscription-expiring.message.lockedout.undated": (
        "Abonnementet {subject} er låst: brugerne har mistet adgangen."
    ),
    "rule.subscription-expiring.message.past": (
        "Abonnementet {subject} nåede sin slutdato {date} og har status {status}."
    ),
    "rule.subscription-expiring.message.past.undated": (
        "Abonnementet {subject} er ophørt og har status {status}."
    ),
    "rule.waiver-expired.title": "Undtagelse udløbet",
    "rule.waiver-expired.describe": (
        "En aftalt undtagelse fra politikken er udløbet, så det fund, den dækkede, tæller igen."
    ),
    "rule.waiver-expired.message": (
        "Undtagelsen for {waiver_rule} på {waiver_subject} (ejer: {owner}) udløb {expires}."
    ),
    "rule.cross-tenant-duplicate.title": "Licenser i flere lejere",
    "rule.cross-tenant-duplicate.describe": (
        "Den samme person har det samme produkt i mere end én af organisationens lejere, og hver lejer betaler "
        "for det."
    ),
    "rule.cross-tenant-duplicate.message": "{identity} har {sku} i flere lejere: {tenants}.",
    "rule.seats-rebalance-across-tenants.title": "Ubrugte licenser i én lejer, mangel i en anden",
    "rule.seats-rebalance-across-tenants.describe": (
        "Én lejer betaler for ubrugte licenser til et produkt, som en anden lejer mangler. Licenser kan ikke "
        "overføres mellem lejere, så løsningen er at fjerne licenser i den ene og købe dem i den anden."
    ),
    "rule.seats-rebalance-across-tenants.message": "{sku}: ubrugte licenser i {surplus}; for få i {shortage}.",
    "summary.remove": "Fjern {sku} fra {user}.",
    "summary.remove_group": (
        "{sku} kommer fra gruppen {group}: ændr gruppemedlemskabet for {user} eller gruppens licenser, ikke "
        "brugeren."
    ),
    "summary.remove_mixed": (
        "Fjern {direct} direkte fra {user}; {grouped} kommer fra en gruppe og skal ændres via gruppen."
    ),
    "summary.replace": "Erstat {old} med {new} for {user} i ét trin.",
    "summary.replace_group": "{old} kommer fra gruppen {group}: flyt {user} til en gruppe, der tildeler {new}.",
    "summary.not_allowed": "Flyt {user} fra {sku} til et tilladt produkt ({allowed}), eller fjern {sku}.",
    "summary.assign": "Giv {user} et af de påkrævede produkter: {sku}.",
    "summary.to_group.redundant": (
        "{user} får også {sku} fra gruppen {group}, så den direkte tildeling er overflødig: fjern den."
    ),
    "summary.to_group.loss": (
        "{user} får også {sku} fra gruppen {group}, men fjernelse af den direkte tildeling ville slå {plans} "
        "fra: slå dem først til i gruppens licenser."
    ),
    "steps.group.redundant": (
        "{sku}: gruppen {group} giver allerede {user} alle de tjenester, som den direkte tildeling slår til, "
        "så fjern kun den direkte tildeling; gruppens tildeling bliver."
    ),
    "steps.group.loss": (
        "{sku}: fjern ikke den direkte tildeling endnu. Den slår {plans} til, som tildelingen fra {group} har"
        " slået fra. Slå dem til i gruppens licensindstillinger (Microsoft Entra Administration > Grupper > "
        "Alle grupper > {group} > Licenser), vent, til gruppen er behandlet, og fjern derefter den direkte "
        "tildeling."
    ),
    "graph.remove_direct": (
        "Fjern den direkte tildeling af {sku}; gruppens tildeling bliver."
    ),
    "summary.to_group": (
        "Føj {user} til den gruppe, der skal tildele {sku}, og fjern derefter den direkte tildeling."
    ),
    "summary.combination": "Beslut, hvilket af produkterne {combination} {user} skal beholde, og fjern resten.",
    "summary.seats_over": "Tildel de ubrugte {sku}-licenser igen, eller fjern {excess} af dem fra abonnementet.",
    "summary.seats_over.renewal": (
        "Tildel de ubrugte {sku}-licenser igen, eller reducer abonnementet med {excess} ved fornyelsen "
        "{date}: licenser på et abonnement med bindingsperiode kan kun reduceres ved fornyelse."
    ),
    "summary.seats_under": "Frigør eller køb {sku}-licenser, så mindst {min} forbliver ledige.",
    "summary.seats_short": (
        "Der er tildelt flere {sku}-licenser end købt ({short} for få): køb flere, eller frigør nogle nu."
    ),
    "summary.grace": (
        "{count} {sku}-licenser udløber {date}, medmindre de fornyes: forny abonnementet, eller reducer de "
        "licenser, der er i brug, inden da."
    ),
    "summary.grace.undated": (
        "{count} {sku}-licenser er i henstandsperioden og udløber, medmindre de fornyes: forny abonnementet, "
        "eller reducer de licenser, der er i brug."
    ),
    "summary.suspended": (
        "{count} brugere har {sku}-licenser, der er suspenderet eller låst: de har mistet eller er ved at "
        "miste adgangen. Genaktiver abonnementet, eller flyt dem til et andet produkt."
    ),
    "steps.grace.reduce": (
        "Hvis licenserne ikke længere er nødvendige, skal du fjerne {count} af dem fra brugere, før de "
        "udløber, så ingen mister adgangen uventet."
    ),
    "summary.not_approved": (
        "Godkend {sku} i politikken, eller flyt brugerne til et godkendt produkt, og fjern derefter licenserne "
        "eller annuller abonnementet."
    ),
    "summary.error.CountViolation": (
        "Der er ikke nok {sku}-licenser: frigør nogle eller køb flere, og genbehandl derefter {user}."
    ),
    "summary.error.MutuallyExclusiveViolation": (
        "En tjeneste i {sku} er i konflikt med en tjeneste, som {user} allerede har fra et andet produkt: beslut, "
        "hvilken brugeren beholder, og genbehandl derefter."
    ),
    "summary.error.DependencyViolation": (
        "Fjernelse af {sku} fra {user} er blokeret: et andet produkt, som {user} har, har en tjeneste, der "
        "afhænger af {sku}. Fjern det produkt først, eller behold {sku}, og genbehandl derefter."
    ),
    "summary.error.UniquenessViolation": (
        "Et andet objekt bruger en af proxyadresserne for {user}: ret den dobbelte adresse, og genbehandl derefter."
    ),
    "summary.error.usage": (
        "{sku} er ikke tilgængelig på anvendelsesplaceringen for {user}: ret placeringen, hvis den er forkert; "
        "ellers kan brugeren ikke få {sku} der. Genbehandl derefter."
    ),
    "summary.error.other": (
        "Anvendelsen af {sku} på {user} mislykkedes ({error}): læs fejlen på brugerens side Licenser, ret årsagen, "
        "og genbehandl derefter."
    ),
    "summary.error.partial": "{sku} er aktiv for {user}, men ikke alle dele af den kunne anvendes.",
    "summary.group_errors": (
        "Medlemmer af gruppen {group} fik ikke alle gruppens licenser (i denne revision: {count}): åbn gruppens "
        "side Licenser, ret hver årsag, og genbehandl derefter gruppen."
    ),
    "summary.group_errors.uncounted": (
        "Medlemmer af gruppen {group} fik ikke alle gruppens licenser: åbn gruppens side Licenser, ret hver årsag, "
        "og genbehandl derefter gruppen."
    ),
    "summary.usage": "Angiv en anvendelsesplacering for {user}; uden den kan der ikke tildeles licenser.",
    "summary.sub_trial": (
        "Køb det betalte abonnement, før prøveversionen {subject} slutter {date}, eller flyt brugerne, og lad den "
        "udløbe."
    ),
    "summary.sub_paid": (
        "Forny {subject}, eller slå tilbagevendende fakturering til før {date}, eller flyt brugerne, og lad det "
        "udløbe."
    ),
    "summary.sub_past": (
        "{subject} har allerede passeret sin slutdato (status {status}): genaktiver det, eller flyt brugerne, før "
        "de mister adgang og data."
    ),
    "summary.waiver": "Forny undtagelsen sammen med dens ejer ({owner}), eller ret det fund, den dækkede.",
    "summary.cross_tenant": (
        "Licenser kan ikke overføres mellem lejere: beslut, hvor {identity} beholder {sku}, og fjern det i de "
        "andre lejere."
    ),
    "summary.rebalance": (
        "Licenser kan ikke overføres mellem lejere: fjern de ubrugte {sku}-licenser i {surplus}, og køb de "
        "manglende i {shortage}."
    ),
    "steps.remove.worldwide": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg {user}, og åbn derefter fanen Licenser og apps.",
        "Fjern markeringen for {sku} under Licenser, og vælg derefter Gem ændringer.",
    ),
    "steps.remove.legacy": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg {user}; vælg Rediger i rækken Produktlicenser til højre.",
        "Sæt til/fra-knappen for {sku} til Fra, og vælg derefter Gem > Luk > Luk.",
    ),
    "steps.remove.entra": (
        "Gå til Brugere > Alle brugere i Microsoft Entra Administration, og vælg {user}.",
        "Åbn Licenser, vælg {sku}, og vælg Fjern licens.",
    ),
    "steps.replace.worldwide": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg cirklen ud for {user}.",
        "Vælg Flere handlinger (...) øverst, og vælg derefter Administrer produktlicenser.",
        "Vælg Erstat eksisterende produktlicenstildelinger > Næste i ruden Administrer produktlicenser.",
        "Sæt til/fra-knappen til Til for {new} og for hvert andet produkt, som {user} beholder; sæt de tjenester, "
        "brugeren ikke skal have, til Fra.",
        "Vælg Erstat > Luk nederst i ruden Erstat eksisterende produkter.",
    ),
    "steps.replace.legacy": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Markér afkrydsningsfeltet ud for {user}.",
        "Vælg Rediger produktlicenser i ruden Massehandlinger.",
        "Vælg Erstat eksisterende produktlicenstildelinger > Næste i ruden Tildel produkter.",
        "Sæt til/fra-knappen til Til for {new} og for hvert andet produkt, som {user} beholder; sæt de tjenester, "
        "brugeren ikke skal have, til Fra.",
        "Vælg Erstat > Luk > Luk nederst i ruden Erstat eksisterende produkter.",
    ),
    "steps.replace.caution": (
        "Erstatning fjerner alle licenser, {user} havde før, også {old}: kun det, du har sat til Til, er tilbage."
    ),
    "steps.assign.worldwide": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg {user}, og åbn derefter fanen Licenser og apps.",
        "Hvis der ikke er valgt noget under Vælg placering, skal du vælge det land, hvor brugeren arbejder.",
        "Markér feltet for {sku} under Licenser, og vælg derefter Gem ændringer.",
    ),
    "steps.assign.legacy": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg {user}; vælg Rediger i rækken Produktlicenser til højre.",
        "Sæt til/fra-knappen for {sku} til Til, og vælg derefter Gem > Luk > Luk.",
    ),
    "steps.group.explain": (
        "{sku} når {user} via gruppen {group}; en licens, som en gruppe tildeler, kan ikke fjernes fra en enkelt "
        "bruger."
    ),
    "steps.group.membership": (
        "Kun for {user}: gå til Grupper > Alle grupper > {group} > Medlemmer i Microsoft Entra Administration, "
        "vælg {user}, og vælg Fjern."
    ),
    "steps.group.license": (
        "Hvis intet medlem af {group} skal have {sku}: gå til Grupper > Alle grupper > {group} > Licenser, vælg "
        "{sku}, og vælg Fjern licens."
    ),
    "steps.group.add": (
        "Hvis produktet skal komme fra en gruppe: gå til Grupper > Alle grupper i Microsoft Entra Administration, "
        "åbn den gruppe, der tildeler {sku}, vælg Medlemmer > Tilføj medlemmer, og tilføj {user}."
    ),
    "steps.group.wait": (
        "Vent, til siden Licenser for {user} viser {sku} som nedarvet fra gruppen, før du fjerner den direkte "
        "tildeling."
    ),
    "steps.group.replace": (
        "Føj {user} til en gruppe, der tildeler {new} (Grupper > Alle grupper > gruppen > Medlemmer > Tilføj "
        "medlemmer), og fjern derefter brugeren fra {group}."
    ),
    "steps.data.keep": (
        "Gem, før du fjerner licensen, det organisationen stadig har brug for, f.eks. ved at konvertere "
        "postkassen til en delt postkasse eller sætte den i venteposition og kopiere OneDrive-filer; en postkasse "
        "uden licens slettes efter en frist."
    ),
    "steps.disabled.confirm": "Bekræft, at {user} skal forblive blokeret, f.eks. fordi personen er stoppet.",
    "steps.inactive.confirm": (
        "Bekræft med lederen af {user}, at kontoen ikke længere er nødvendig; hvis den er, så registrér en "
        "undtagelse i stedet."
    ),
    "steps.guest.confirm": (
        "Det meste gæsteadgang kræver ingen licens i din lejer: bekræft, om {user} virkelig har brug for {sku}."
    ),
    "summary.loss.data": "Gem dataene, før du fjerner {sku} fra {user}: fjernelsen ville slå {plans} fra.",
    "steps.loss.data": (
        "Det er {sku}, der slår {plans} til for {user}; intet andet, som {user} beholder, gør det. Fjernes "
        "det, forsvinder postkassen, arkivet eller OneDrive-filerne, der hører til. Gem derfor dataene først "
        "(konvertér f.eks. postkassen til en delt postkasse, eller flyt mails og filer), eller giv {user} et "
        "produkt, der indeholder dem, og fjern først derefter {sku}."
    ),
    "steps.combination.keep": (
        "{keep} slår allerede alt det til for {user}, som {sku} gør: behold {keep}, og fjern {sku}."
    ),
    "steps.combination.choose": (
        "Beslut, hvilket produkt af {combination} {user} skal beholde; hvis det ene allerede indeholder det andet, "
        "så behold det."
    ),
    "steps.seats.reassign": "Giv de ubrugte {sku}-licenser til brugere, der venter på en.",
    "steps.seats.remove": (
        "Hvis de ikke tildeles igen: gå til Fakturering > Dine produkter i Microsoft 365 Administration.",
        "Vælg det abonnement, der indeholder {sku}, og vælg derefter Fjern licenser.",
        "Angiv det nye samlede antal licenser ({target}), og vælg derefter Gem.",
    ),
    "steps.seats.free": (
        "Frigør {sku}-licenser fra konti, der ikke længere har brug for dem (se fundene om blokerede, inaktive og "
        "gæstebrugere)."
    ),
    "steps.seats.buy": (
        "Ellers køb flere: gå til Fakturering > Dine produkter i Microsoft 365 Administration.",
        "Vælg det abonnement, der indeholder {sku}, og vælg derefter Køb licenser.",
        "Angiv det samlede antal licenser, du har brug for ({target}), og gennemfør købet.",
    ),
    "steps.not_approved.review": (
        "Beslut med politikkens ejer, om {sku} skal godkendes; i så fald tilføjes det til politikkens godkendte "
        "produkter."
    ),
    "steps.not_approved.cancel": (
        "Når ingen har det længere, annuller abonnementet (Fakturering > Dine produkter > vælg {sku} > Annuller "
        "abonnement), eller fjern dets licenser."
    ),
    "steps.move.worldwide": (
        "Flyt de brugere, der har {sku}, til et andet produkt: Brugere > Aktive brugere ({url}) > vælg dem > "
        "Flere handlinger (...) > Administrer produktlicenser > Erstat eksisterende produktlicenstildelinger > "
        "Næste > sæt det nye produkt til Til > Erstat > Luk."
    ),
    "steps.move.legacy": (
        "Flyt de brugere, der har {sku}, til et andet produkt: Brugere > Aktive brugere ({url}) > vælg dem > "
        "Massehandlinger > Rediger produktlicenser > Erstat eksisterende produktlicenstildelinger > Næste > sæt "
        "det nye produkt til Til > Erstat > Luk > Luk."
    ),
    "steps.error.CountViolation": (
        "Frigør {sku}-licenser fra brugere, der ikke længere har brug for dem, eller køb flere: Fakturering > "
        "Dine produkter > vælg abonnementet > Køb licenser."
    ),
    "steps.error.MutuallyExclusiveViolation": (
        "Beslut, hvilket af de modstridende produkter {user} beholder, og fjern det andet, eller slå den "
        "modstridende tjeneste fra."
    ),
    "steps.error.DependencyViolation": (
        "Find det produkt, hvis tjenesteplan kræver en tjeneste i {sku} (brugerens side Licenser nævner det),"
        " fjern det eller slå tjenesten fra først, og fjern først derefter {sku}; ved gruppebaseret "
        "licensering skal begge grupper ændres samtidig."
    ),
    "steps.error.UniquenessViolation": (
        "Find det andet objekt, der bruger den samme proxyadresse (f.eks. i Exchange Administration), og ændr "
        "eller fjern den dobbelte adresse."
    ),
    "steps.error.other": (
        "Gå til Brugere > Alle brugere > {user} > Licenser i Microsoft Entra Administration, og læs fejlen ved "
        "{sku}."
    ),
    "steps.error.group": (
        "Licensen kommer fra gruppen {group}, så andre medlemmer kan have samme fejl: se gruppens side Licenser i "
        "Microsoft Entra Administration."
    ),
    "steps.error.ProhibitedInUsageLocationViolation": (
        "Kontrollér anvendelsesplaceringen for {user}. Er det ikke der, brugeren arbejder, så angiv den rigtige "
        "som nedenfor. Er den rigtig, tilbydes {sku} ikke der: tag i stedet {user} ud af tildelingen (ved en "
        "gruppelicens: ud af gruppen) frem for at ændre placeringen."
    ),
    "steps.group_errors.open": (
        "Gå til Grupper > Alle grupper > {group} > Licenser i Microsoft Entra Administration: meddelelsen der "
        "viser medlemmerne med fejl; vælg et medlem for at se fejlen."
    ),
    "steps.group_errors.cause": (
        "{error}, berørte medlemmer: {count}. Hvert medlems resultat om fejl ved licenstildeling forklarer denne "
        "årsag og rettelsen."
    ),
    "steps.group_errors.fix": (
        "Ret årsagen for hvert medlem, som fejlen angiver: frigør eller køb licenser, vælg mellem modstridende "
        "produkter eller tjenester, ret anvendelsesplaceringer eller dobbelte proxyadresser."
    ),
    "steps.group_errors.reprocess": (
        "Vælg derefter Genbehandl på siden Licenser for {group}, så Microsoft Entra ID anvender gruppens licenser "
        "på medlemmerne igen."
    ),
    "steps.reprocess": (
        "Genbehandl derefter: gå til Brugere > Alle brugere > {user} > Licenser i Microsoft Entra Administration, "
        "og vælg Genbehandl."
    ),
    "steps.usage.worldwide": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg {user}, og åbn derefter fanen Licenser og apps.",
        "Vælg det land, hvor brugeren arbejder, under Vælg placering, og vælg derefter Gem ændringer.",
    ),
    "steps.usage.legacy": (
        "Gå til Brugere > Aktive brugere ({url}) i Microsoft 365 Administration.",
        "Vælg {user}; vælg Rediger i rækken Produktlicenser til højre.",
        "Vælg det land, hvor brugeren arbejder, under Placering, og vælg derefter Gem > Luk > Luk.",
    ),
    "steps.usage.sync": (
        "Hvis konti synkroniseres fra en lokal mappe, så angiv også anvendelsesplaceringen dér, så nye konti får "
        "en fra starten."
    ),
    "steps.sub.status": (
        "Warning betyder, at abonnementet er udløbet og er i sin frist (brugerne har stadig adgang); Suspended "
        "betyder, at det er deaktiveret (brugerne har mistet adgang, administratorer kan stadig sikkerhedskopiere "
        "data)."
    ),
    "steps.sub.reactivate": (
        "For at beholde det: gå til Fakturering > Dine produkter i Microsoft 365 Administration, vælg {sku}, og "
        "genaktiver eller forny det."
    ),
    "steps.sub.trial": (
        "For at beholde det: gå til Fakturering > Dine produkter i Microsoft 365 Administration, vælg "
        "prøveversionen {sku}, og køb det betalte abonnement før {date}."
    ),
    "steps.sub.paid": (
        "For at beholde det: gå til Fakturering > Dine produkter i Microsoft 365 Administration, vælg {sku}, og "
        "slå Tilbagevendende fakturering til, eller forny det før {date}."
    ),
    "steps.sub.lapse": (
        "For at lade det udløbe: slå Tilbagevendende fakturering fra eller annuller det, når ingen bruger er "
        "afhængig af det; sikkerhedskopiér først de data, du stadig har brug for."
    ),
    "steps.waiver.ask": "Spørg {owner}, om undtagelsen for {waiver_rule} på {waiver_subject} stadig er nødvendig.",
    "steps.waiver.renew": (
        "Hvis ja, giv undtagelsen en ny udløbsdato og en aktuel begrundelse i politikfilen, og få ændringen "
        "gennemgået."
    ),
    "steps.waiver.fix": (
        "Hvis nej, slet undtagelsen, og ret fundet som beskrevet i vejledningen for {waiver_rule}."
    ),
    "steps.transfer.fact": "Licenser kan ikke overføres fra én lejer til en anden; hver lejer skal have sine egne.",
    "steps.transfer.decide": (
        "Beslut, i hvilken lejer {identity} beholder {sku}, og fjern licensen fra kontoen i de andre lejere "
        "(Brugere > Aktive brugere > brugeren > Licenser og apps)."
    ),
    "steps.transfer.vlsc": (
        "Hvis du køber via en volumenlicensaftale, så kontakt Volume Licensing Service Center om licenserne."
    ),
    "steps.transfer.cancel": (
        "Hvis den lejer, du flytter fra, ikke skal bruges mere, så annuller dens abonnement (Fakturering > Dine "
        "produkter), og køb licenserne i den lejer, der skal bruge dem."
    ),
    "steps.transfer.remove": (
        "Hvis den lejer fortsat bruges, så fjern de licenser, den ikke længere har brug for (Fakturering > Dine "
        "produkter > Fjern licenser), for at sænke omkostningerne, og køb det samme antal i den anden lejer."
    ),
    "steps.transfer.migrate": (
        "Når personer flytter til den anden lejer, skal du også overføre deres postkasser (postkasseoverførsel "
        "mellem lejere) og deres SharePoint-data (overførsel af cloudindhold)."
    ),
    "role.assign": "Global administrator, licensadministrator eller brugeradministrator",
    "role.group": (
        "Global administrator, licensadministrator eller brugeradministrator; en gruppeadministrator eller "
        "gruppens ejer kan også ændre medlemmerne"
    ),
    "role.billing_assign": (
        "Faktureringsadministrator eller global administrator til køb, fjernelse og fornyelse; global "
        "administrator, licensadministrator eller brugeradministrator til tildeling af licenser"
    ),
    "role.transfer": (
        "Faktureringsadministrator eller global administrator i hver lejer; Exchange-administrator og "
        "SharePoint-administrator til dataoverførslen"
    ),
    "role.waiver": "Den, der vedligeholder politikfilen, sammen med undtagelsens ejer",
    "next.freed": (
        "Tildel de frigjorte licenser til brugere, der har brug for dem, eller fjern dem fra abonnementet "
        "(Fakturering > Dine produkter > Fjern licenser), så du ikke betaler for flere licenser, end du har brug for."
    ),
    "next.partner": (
        "Hvis licenserne er købt via en partner eller en volumenlicensaftale, ændrer partneren eller Volume "
        "Licensing Service Center antallet for dig."
    ),
    "next.transfer_cost": (
        "Kontrollér bagefter antallet af licenser i hver berørt lejer, så ingen betaler for licenser, den ikke "
        "bruger."
    ),
    "next.rerun": "Kør revisionen igen for at bekræfte, at fundet er løst.",
    "graph.remove": "Fjerner den direkte tildelte {sku} fra {user}.",
    "graph.remove_or_replace": (
        "Fjerner {sku} fra {user}; for at erstatte det i samme kald skal du angive det tilladte produkts skuId i "
        "addLicenses."
    ),
    "graph.replace": (
        "Ét kald for {user} tilføjer {new} og fjerner {old} på samme tid, så brugeren aldrig står uden licens."
    ),
    "graph.add": "Tildeler {sku} til {user}; brugeren skal først have en anvendelsesplacering.",
    "graph.membership": (
        "Fjerner {user} fra gruppen {group}; de licenser, gruppen tildeler, gælder derefter ikke længere for "
        "brugeren."
    ),
    "graph.membership_many": (
        "Fjerner {user} fra en af de grupper, der tildeler {sku} ({group}); gentag for hver af dem, for licensen "
        "bliver, så længe en af dem tildeler den."
    ),
    "graph.membership_lookup": (
        "Fjerner {user} fra gruppen {group}; slå først gruppens id op, og indsæt det i stien."
    ),
    "graph.remove_after_group": (
        "Fjerner den direkte tildeling af {sku}, når gruppens licens er aktiv for {user}."
    ),
    "graph.reprocess": "Får Microsoft Entra ID til at anvende licenserne for {user} igen, når årsagen er rettet.",
    "graph.group_errors": "Viser de medlemmer af {group}, hvor gruppens licenser ikke kunne anvendes.",
    "graph.usage": (
        "Angiver anvendelsesplaceringen for {user}; erstat XX med landekoden på to bogstaver (ISO 3166-1), f.eks. DK."
    ),
    "graph.reassign": (
        "Tildeler én ubrugt {sku}-licens til en bruger, der har brug for den (indsæt brugerens id i stien). Graph "
        "kan ikke ændre antallet af købte licenser; gør det i Administration."
    ),
    "graph.holders": "Viser de brugere, der har {sku}.",
    "graph.combination": "Fjerner {sku} fra {user}; {keep} bliver og dækker det.",
    "graph.cross_remove": "Køres i den lejer, hvor licensen ikke er nødvendig: fjerner {sku} fra {user} dér.",
    "link.move_users": "Flyt brugere til et andet abonnement",
    "link.assign_licenses": "Tildel licenser til brugere",
    "link.unassign_licenses": "Fjern tildelingen af licenser fra brugere",
    "link.buy_licenses": "Køb eller fjern licenser",
    "link.admin_roles": "Om administratorroller i Microsoft 365 Administration",
    "link.cancel_subscription": "Annuller dit abonnement",
    "link.renew_subscription": "Forny dit abonnement",
    "link.subscription_ends": "Hvad sker der med mine data og min adgang, når mit abonnement slutter?",
    "link.group_licensing": "Tildel licenser til brugere via gruppemedlemskab",
    "link.group_problems": "Find og løs problemer med licenstildeling for en gruppe",
    "link.resolve_find": "Løs licensproblemer for en gruppe: find fejl ved licenstildeling",
    "link.resolve_count": "Løs licensproblemer for en gruppe: ikke nok licenser",
    "link.resolve_conflict": "Løs licensproblemer for en gruppe: modstridende tjenesteplaner",
    "link.resolve_dependency": "Løs licensproblemer for en gruppe: andre produkter afhænger af denne licens",
    "link.resolve_location": "Løs licensproblemer for en gruppe: anvendelsesplaceringen er ikke tilladt",
    "link.resolve_proxy": "Løs licensproblemer for en gruppe: dobbelte proxyadresser",
    "link.resolve_reprocess": "Løs licensproblemer for en gruppe: gennemtving behandling af gruppelicenser",
    "link.vlsc": "Volume Licensing Service Center",
    "link.mailbox_migration": "Overfør postkasser mellem lejere",
    "link.sharepoint_migration": "Overfør SharePoint-data",
}
