"""Dutch guidance text. UI labels as in the Dutch Microsoft 365 and Microsoft Entra admin centers."""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    "word.or": "of",
    "word.none": "geen",
    "word.unknown": "onbekend",
    "rule.sku-not-allowed.title": "Product niet toegestaan",
    "rule.sku-not-allowed.describe": (
        "De gebruiker heeft een product dat het beleid voor deze groep gebruikers niet toestaat. Overstappen op een "
        "toegestaan product houdt de licenties zoals bedoeld en voorkomt dat u voor het verkeerde abonnement betaalt."
    ),
    "rule.sku-not-allowed.message": (
        "{user} heeft {sku}, wat het beleid hier niet toestaat (toegestaan: {allowed})."
    ),
    "rule.sku-forbidden.title": "Verboden product",
    "rule.sku-forbidden.describe": (
        "Het beleid verbiedt dit product voor de gebruiker. Een verboden licentie kost geld en kan toegang geven tot "
        "diensten die de gebruiker niet hoort te hebben."
    ),
    "rule.sku-forbidden.message": "{user} heeft {sku}, wat het beleid verbiedt.",
    "rule.sku-required-missing.title": "Vereist product ontbreekt",
    "rule.sku-required-missing.describe": (
        "De gebruiker heeft geen van de producten die het beleid vereist en mist daardoor mogelijk diensten die "
        "nodig zijn voor het werk."
    ),
    "rule.sku-required-missing.message": "{user} heeft geen van de vereiste producten ({required}).",
    "rule.sku-combination-forbidden.title": "Verboden productcombinatie",
    "rule.sku-combination-forbidden.describe": (
        "De gebruiker heeft producten die volgens het beleid niet samen mogen voorkomen, meestal omdat het ene het "
        "andere al bevat en de organisatie dubbel betaalt."
    ),
    "rule.sku-combination-forbidden.message": (
        "{user} heeft {combination} tegelijk, een combinatie die het beleid verbiedt."
    ),
    "rule.assignment-not-group-based.title": "Licentie niet via een groep toegewezen",
    "rule.assignment-not-group-based.describe": (
        "Het beleid verwacht dat dit product via een groep komt. Directe toewijzingen worden makkelijk vergeten "
        "als mensen van functie wisselen of vertrekken."
    ),
    "rule.assignment-not-group-based.message": (
        "{user} heeft {sku} direct toegewezen gekregen in plaats van via een groep."
    ),
    "rule.spare-seats-over-limit.title": "Te veel ongebruikte licenties",
    "rule.spare-seats-over-limit.describe": (
        "De organisatie betaalt voor meer licenties dan er in gebruik zijn, meer dan de marge die het beleid toestaat."
    ),
    "rule.spare-seats-over-limit.message": (
        "{sku}: {unused} van {enabled} licenties zijn ongebruikt; het beleid staat er hoogstens {limit} toe."
    ),
    "rule.spare-seats-over-limit.message.renewal": (
        "{sku}: {unused} van {enabled} licenties zijn ongebruikt; het beleid staat er hoogstens {limit} toe. "
        "Verminder er {excess} bij de verlenging op {date}."
    ),
    "rule.spare-seats-under-minimum.title": "Te weinig vrije licenties",
    "rule.spare-seats-under-minimum.describe": (
        "Er zijn minder licenties vrij dan de buffer die het beleid vraagt, dus nieuwe medewerkers krijgen mogelijk "
        "niet op tijd een licentie."
    ),
    "rule.spare-seats-under-minimum.message": (
        "{sku}: {unused} van {enabled} licenties zijn vrij; het beleid vraagt er minstens {min}."
    ),
    "rule.spare-seats-under-minimum.message.over": (
        "{sku}: er zijn {consumed} licenties toegewezen, maar er zijn er maar {enabled} beschikbaar."
    ),
    "rule.sku-not-approved.title": "Product niet goedgekeurd",
    "rule.sku-not-approved.describe": (
        "De tenant heeft een product dat het beleid niet goedkeurt; het is mogelijk buiten de gewone weg om gekocht "
        "of als proefversie gestart."
    ),
    "rule.sku-not-approved.message": (
        "{sku} staat niet op de lijst van goedgekeurde producten van het beleid ({enabled} licenties, "
        "{consumed} toegewezen)."
    ),
    "rule.seats-in-grace.title": "Licenties in de respijtperiode",
    "rule.seats-in-grace.describe": (
        "Het abonnement is verlopen en de licenties zitten in de respijtperiode: ze werken nog, maar "
        "gebruikers verliezen de toegang zodra het wordt opgeschort."
    ),
    "rule.seats-in-grace.message": (
        "{sku}: {count} licenties zitten in de respijtperiode en vervallen op {date} als ze niet worden "
        "verlengd."
    ),
    "rule.seats-in-grace.message.undated": (
        "{sku}: {count} licenties zitten in de respijtperiode en vervallen als ze niet worden verlengd."
    ),
    "rule.license-suspended.title": "Licenties van een opgeschort product",
    "rule.license-suspended.describe": (
        "Gebruikers hebben licenties van een product waarvan het abonnement is opgeschort of geblokkeerd, dus"
        " ze zijn de diensten kwijt of raken ze kwijt."
    ),
    "rule.license-suspended.message": (
        "{sku}: {count} van de {consumed} toegewezen licenties zijn opgeschort of geblokkeerd; de gebruikers "
        "ervan hebben geen toegang meer of verliezen die."
    ),
    "rule.disabled-user-licensed.title": "Geblokkeerde gebruiker heeft licenties",
    "rule.disabled-user-licensed.describe": (
        "Het account mag zich niet aanmelden, maar neemt nog steeds een betaalde licentie in beslag."
    ),
    "rule.disabled-user-licensed.message": "{user} is geblokkeerd voor aanmelden maar heeft nog steeds {sku}.",
    "rule.inactive-user-licensed.title": "Inactieve gebruiker heeft licenties",
    "rule.inactive-user-licensed.describe": (
        "Het account is al lange tijd niet gebruikt, maar neemt nog steeds een betaalde licentie in beslag."
    ),
    "rule.inactive-user-licensed.message": (
        "{user} heeft {sku}, maar heeft zich al minstens {days} dagen niet aangemeld (laatste aanmelding: "
        "{last_sign_in})."
    ),
    "rule.inactive-user-licensed.message.never": (
        "{user} heeft {sku}, maar heeft zich nog nooit aangemeld (grens: {days} dagen)."
    ),
    "rule.inactive-user-licensed.message.attempts": (
        "{user} heeft {sku}, maar heeft zich al minstens {days} dagen niet met succes aangemeld (laatste "
        "geslaagde aanmelding: {last_sign_in}); aanmeldpogingen gingen door tot {last_attempt}, dus controleer de "
        "aanmeldingslogboeken."
    ),
    "rule.inactive-user-licensed.message.never.attempts": (
        "{user} heeft {sku}, maar heeft zich nog nooit met succes aangemeld (grens: {days} dagen); er waren "
        "aanmeldpogingen tot {last_attempt}, dus controleer de aanmeldingslogboeken."
    ),
    "rule.license-assigned-twice.title": "Product dubbel toegewezen",
    "rule.license-assigned-twice.describe": (
        "De gebruiker heeft een product zowel rechtstreeks als via een groep. De directe toewijzing voegt "
        "meestal niets toe en is achtergebleven na een overstap op groepsgebaseerde licenties, maar kan "
        "diensten inschakelen die de toewijzing via de groep uitschakelt."
    ),
    "rule.license-assigned-twice.message": "{user} heeft {sku} zowel rechtstreeks als via een groep.",
    "rule.license-redundant.title": "Product voegt niets toe naast een ander",
    "rule.license-redundant.describe": (
        "Elke dienst die dit product voor de gebruiker inschakelt, staat al aan via een ander product van de "
        "gebruiker, met hetzelfde serviceabonnement of een hoger abonnement van dezelfde dienst (Exchange Online "
        "(Plan 1) naast Microsoft 365 E3). Verwijderen neemt niets weg en bespaart de kosten ervan."
    ),
    "rule.license-redundant.message": "{cover} schakelt voor {user} al elke dienst van {sku} in.",
    "rule.license-redundant.message.several": (
        "Andere producten van {user} schakelen al elke dienst van {sku} in."
    ),
    "summary.redundant": "{cover} geeft {user} al elke dienst van {sku}: verwijder {sku}.",
    "summary.redundant_group": (
        "{sku} komt van de groep {group}, en {cover} geeft {user} al elke dienst ervan: haal {user} uit de "
        "groep, of verwijder {sku} uit de licenties van de groep."
    ),
    "summary.redundant_same_group": (
        "De groep {group} geeft {user} zowel {sku} als {cover}, en {cover} schakelt al elke dienst van {sku} in: "
        "verwijder {sku} uit de licenties van de groep."
    ),
    "steps.redundant.keep": (
        "{cover} blijft en houdt elke dienst aan die {sku} voor {user} inschakelt (hetzelfde serviceabonnement "
        "of een hoger abonnement van dezelfde dienst), dus het verwijderen van {sku} schakelt niets uit."
    ),
    "steps.redundant.same_group": (
        "De groep {group} wijst ook {cover} toe, dus {user} uit de groep halen zou ook {cover} wegnemen. "
        "Controleer in plaats daarvan of {cover} van de groep elke dienst inschakelt die {sku} van de groep "
        "inschakelt, ga dan in het Microsoft Entra-beheercentrum naar Groepen > Alle groepen > {group} > "
        "Licenties, selecteer {sku} en kies Licentie verwijderen."
    ),
    "graph.remove_redundant": "Verwijdert {sku} bij {user}; het product dat het dekt, blijft.",
    "rule.guest-licensed.title": "Gast heeft licenties",
    "rule.guest-licensed.describe": (
        "Een gast van buiten de organisatie heeft een betaalde licentie van deze tenant; gasten hebben er zelden een "
        "nodig."
    ),
    "rule.guest-licensed.message": "De gast {user} heeft {sku}.",
    "rule.shared-mailbox-licensed.title": "Gedeeld postvak heeft licenties",
    "rule.shared-mailbox-licensed.describe": (
        "Een gedeeld postvak, ruimtepostvak of apparatuurpostvak neemt een betaalde licentie in. Zo'n postvak werkt "
        "zonder licentie, tenzij het meer dan 50 GB bevat, een archief heeft of onder een bewaring voor juridische "
        "procedures of een bewaarbeleid valt."
    ),
    "rule.shared-mailbox-licensed.message": (
        "{user} is een gedeeld postvak maar heeft {sku}; een licentie is alleen nodig boven 50 GB, met een archief "
        "of onder bewaring."
    ),
    "rule.shared-mailbox-licensed.message.room": (
        "{user} is een ruimtepostvak maar heeft {sku}; een licentie is alleen nodig boven 50 GB, met een archief of "
        "onder bewaring."
    ),
    "rule.shared-mailbox-licensed.message.equipment": (
        "{user} is een apparatuurpostvak maar heeft {sku}; een licentie is alleen nodig boven 50 GB, met een archief "
        "of onder bewaring."
    ),
    "message.shared_mailbox_unknown": (
        "De auditor kon niet vaststellen of dit een gedeeld postvak, ruimte- of apparatuurpostvak is; zo'n postvak "
        "heeft meestal geen licentie nodig."
    ),
    "summary.shared_mailbox": (
        "Een gedeeld postvak, ruimte- of apparatuurpostvak heeft geen licentie nodig, tenzij het meer dan 50 GB "
        "bevat, een archief heeft of onder bewaring staat: controleer dat eerst."
    ),
    "steps.shared.check": (
        "Ga in het Exchange-beheercentrum naar Ontvangers > Postvakken en selecteer {user}.",
        "Bekijk hoeveel het postvak bevat en of het archief is ingeschakeld: boven 50 GB of met een archief houdt "
        "het zijn licentie.",
        "Controleer in de Microsoft Purview-portal of een bewaring voor juridische procedures, een eDiscovery-"
        "bewaring of een bewaarbeleid voor {user} geldt: een postvak onder bewaring houdt zijn licentie.",
        "Verwijder de licentie alleen als niets hiervan geldt, zoals hieronder beschreven; het postvak blijft "
        "zonder licentie werken.",
    ),
    "steps.mailbox.unknown": (
        "De auditor kon de postvakinstellingen van {user} niet lezen (de app heeft MailboxSettings.Read nodig). "
        "Controleer in het Exchange-beheercentrum onder Ontvangers > Postvakken of het een gedeeld postvak, ruimte- "
        "of apparatuurpostvak is; zo ja, dan is een licentie alleen nodig als het meer dan 50 GB bevat, een archief "
        "heeft of onder bewaring staat."
    ),
    "link.shared_mailbox": "Over gedeelde postvakken",
    "rule.license-assignment-error.title": "Fout bij licentietoewijzing",
    "rule.license-assignment-error.describe": (
        "Microsoft Entra ID kon de licentie niet volledig toepassen, dus de gebruiker mist mogelijk diensten."
    ),
    "rule.license-assignment-error.message": "Het toepassen van {sku} op {user} is mislukt met de fout {error}.",
    "rule.license-assignment-error.message.partial": (
        "{sku} is actief voor {user}, maar kon niet volledig worden toegepast (fout {error})."
    ),
    "rule.license-assignment-error.message.disabled": (
        "De toewijzing van {sku} aan {user} is uitgeschakeld en meldt de fout {error}."
    ),
    "rule.group-license-errors.title": "Groep met fouten bij licentietoewijzing",
    "rule.group-license-errors.describe": (
        "Microsoft Entra ID kon sommige leden van deze groep de licenties van de groep niet geven. De oplossing "
        "begint bij de groep: de pagina Licenties ervan toont de leden met een fout."
    ),
    "rule.group-license-errors.message": (
        "De licenties van de groep {group} konden niet worden toegepast op een deel van de leden (leden in deze "
        "audit: {count}; fouten: {errors})."
    ),
    "rule.group-license-errors.message.uncounted": (
        "Microsoft Entra ID meldt leden van de groep {group} bij wie de licenties van de groep niet konden worden "
        "toegepast."
    ),
    "rule.usage-location-missing.title": "Gebruikslocatie ontbreekt",
    "rule.usage-location-missing.describe": (
        "Licenties kunnen alleen worden toegewezen aan een gebruiker met een gebruikslocatie, omdat het aanbod aan "
        "diensten per land verschilt."
    ),
    "rule.usage-location-missing.message": "{user} heeft geen gebruikslocatie.",
    "rule.subscription-expiring.title": "Abonnement loopt af",
    "rule.subscription-expiring.describe": (
        "Als een abonnement afloopt, verliezen de gebruikers de bijbehorende diensten en na een respijtperiode ook "
        "de gegevens die erbij horen."
    ),
    "rule.subscription-expiring.message.trial": (
        "De proefversie {subject} eindigt op {date} (nog {days_left} dagen)."
    ),
    "rule.subscription-expiring.message.paid": "Het abonnement {subject} eindigt op {date} (nog {days_left} dagen).",
    "rule.subscription-expiring.message.warning": (
        "Het abonnement {subject} is verlopen en zit in de respijtperiode: de gebruikers houden toegang tot "
        "het op {date} wordt opgeschort."
    ),
    "rule.subscription-expiring.message.warning.undated": (
        "Het abonnement {subject} is verlopen en zit in de respijtperiode: de gebruikers hebben nog toegang."
    ),
    "rule.subscription-expiring.message.suspended": (
        "Het abonnement {subject} is opgeschort: de gebruikers hebben geen toegang meer, en het wordt op "
        "{date} verwijderd."
    ),
    "rule.subscription-expiring.message.suspended.undated": (
        "Het abonnement {subject} is opgeschort: de gebruikers hebben geen toegang meer."
    ),
    "rule.subscription-expiring.message.lockedout": (
        "Het abonnement {subject} is geblokkeerd: de gebruikers hebben geen toegang meer, en het wordt op "
        "{date} verwijderd."
    ),
    "rule.subscription-expiring.message.lockedout.undated": (
        "Het abonnement {subject} is geblokkeerd: de gebruikers hebben geen toegang meer."
    ),
    "rule.subscription-expiring.message.past": (
        "Het abonnement {subject} heeft op {date} de einddatum bereikt en heeft de status {status}."
    ),
    "rule.subscription-expiring.message.past.undated": (
        "Het abonnement {subject} is beëindigd en heeft de status {status}."
    ),
    "rule.waiver-expired.title": "Uitzondering verlopen",
    "rule.waiver-expired.describe": (
        "Een afgesproken uitzondering op het beleid is verlopen, dus de bevinding die ze dekte telt weer mee."
    ),
    "rule.waiver-expired.message": (
        "De uitzondering voor {waiver_rule} op {waiver_subject} (eigenaar: {owner}) is verlopen op {expires}."
    ),
    "rule.cross-tenant-duplicate.title": "Licenties in meerdere tenants",
    "rule.cross-tenant-duplicate.describe": (
        "Dezelfde persoon heeft hetzelfde product in meer dan één tenant van de organisatie, en elke tenant betaalt "
        "ervoor."
    ),
    "rule.cross-tenant-duplicate.message": "{identity} heeft {sku} in meerdere tenants: {tenants}.",
    "rule.seats-rebalance-across-tenants.title": "Ongebruikte licenties in de ene tenant, tekort in de andere",
    "rule.seats-rebalance-across-tenants.describe": (
        "De ene tenant betaalt voor ongebruikte licenties van een product waarvan de andere tenant er te weinig "
        "heeft. Licenties kunnen niet tussen tenants worden overgezet, dus de oplossing is licenties in de ene "
        "verwijderen en in de andere kopen."
    ),
    "rule.seats-rebalance-across-tenants.message": (
        "{sku}: ongebruikte licenties in {surplus}; te weinig in {shortage}."
    ),
    "summary.remove": "Verwijder {sku} bij {user}.",
    "summary.remove_group": (
        "{sku} komt van de groep {group}: wijzig het groepslidmaatschap van {user} of de licenties van de groep, "
        "niet de gebruiker."
    ),
    "summary.remove_mixed": (
        "Verwijder {direct} rechtstreeks bij {user}; {grouped} komt van een groep en moet via de groep worden "
        "gewijzigd."
    ),
    "summary.replace": "Vervang in één keer {old} door {new} voor {user}.",
    "summary.replace_group": (
        "{old} komt van de groep {group}: verplaats {user} naar een groep die {new} toewijst."
    ),
    "summary.not_allowed": (
        "Zet {user} over van {sku} naar een toegestaan product ({allowed}), of verwijder {sku}."
    ),
    "summary.assign": "Geef {user} een van de vereiste producten: {sku}.",
    "summary.to_group.redundant": (
        "{user} krijgt {sku} ook van de groep {group}, dus de directe toewijzing is overbodig: verwijder die."
    ),
    "summary.to_group.loss": (
        "{user} krijgt {sku} ook van de groep {group}, maar het verwijderen van de directe toewijzing zou "
        "{plans} uitschakelen: schakel die eerst in bij de licenties van de groep."
    ),
    "steps.group.redundant": (
        "{sku}: de groep {group} geeft {user} al elke dienst die de directe toewijzing inschakelt, dus "
        "verwijder alleen de directe toewijzing; die van de groep blijft."
    ),
    "steps.group.loss": (
        "{sku}: verwijder de directe toewijzing nog niet. Die schakelt {plans} in, wat de toewijzing via "
        "{group} heeft uitgeschakeld. Schakel die in bij de licentie-instellingen van de groep (Microsoft "
        "Entra-beheercentrum > Groepen > Alle groepen > {group} > Licenties), wacht tot de groep is verwerkt "
        "en verwijder daarna de directe toewijzing."
    ),
    "graph.remove_direct": (
        "Verwijder de directe toewijzing van {sku}; die van de groep blijft."
    ),
    "summary.to_group": (
        "Voeg {user} toe aan de groep die {sku} hoort toe te wijzen en verwijder daarna de directe toewijzing."
    ),
    "summary.combination": "Bepaal welk van de producten {combination} {user} houdt, en verwijder de rest.",
    "summary.seats_over": (
        "Wijs de ongebruikte {sku}-licenties opnieuw toe, of verwijder er {excess} uit het abonnement."
    ),
    "summary.seats_over.renewal": (
        "Wijs de ongebruikte {sku}-licenties opnieuw toe, of verminder het abonnement met {excess} bij de "
        "verlenging op {date}: licenties van een abonnement met een looptijd kunnen alleen bij de verlenging "
        "worden verminderd."
    ),
    "summary.seats_under": "Maak {sku}-licenties vrij of koop er bij, zodat er minstens {min} beschikbaar blijven.",
    "summary.seats_short": (
        "Er zijn meer {sku}-licenties toegewezen dan gekocht ({short} te weinig): koop er bij of maak er nu vrij."
    ),
    "summary.grace": (
        "{count} {sku}-licenties vervallen op {date} als ze niet worden verlengd: verleng het abonnement, of "
        "verminder de gebruikte licenties vóór die datum."
    ),
    "summary.grace.undated": (
        "{count} {sku}-licenties zitten in de respijtperiode en vervallen als ze niet worden verlengd: "
        "verleng het abonnement, of verminder de gebruikte licenties."
    ),
    "summary.suspended": (
        "{count} gebruikers hebben {sku}-licenties die zijn opgeschort of geblokkeerd: ze hebben geen toegang"
        " meer of verliezen die. Activeer het abonnement opnieuw, of zet ze over naar een ander product."
    ),
    "steps.grace.reduce": (
        "Als de licenties niet meer nodig zijn, verwijder er dan {count} bij gebruikers voordat ze vervallen,"
        " zodat niemand onverwacht de toegang verliest."
    ),
    "summary.not_approved": (
        "Keur {sku} goed in het beleid, of zet de gebruikers over op een goedgekeurd product en verwijder daarna "
        "de licenties of annuleer het abonnement."
    ),
    "summary.error.CountViolation": (
        "Er zijn niet genoeg {sku}-licenties: maak er vrij of koop er bij en verwerk {user} daarna opnieuw."
    ),
    "summary.error.MutuallyExclusiveViolation": (
        "Een dienst in {sku} botst met een dienst die {user} al van een ander product heeft: bepaal welke de "
        "gebruiker houdt en verwerk daarna opnieuw."
    ),
    "summary.error.DependencyViolation": (
        "Het verwijderen van {sku} bij {user} wordt geblokkeerd: een ander product van {user} heeft een "
        "dienst die afhankelijk is van {sku}. Verwijder eerst dat product, of houd {sku}, en verwerk daarna "
        "opnieuw."
    ),
    "summary.error.UniquenessViolation": (
        "Een ander object gebruikt een van de proxyadressen van {user}: los het dubbele adres op en verwerk daarna "
        "opnieuw."
    ),
    "summary.error.usage": (
        "{sku} is niet beschikbaar op de gebruikslocatie van {user}: corrigeer de locatie als die onjuist is; "
        "anders kan de gebruiker {sku} daar niet krijgen. Verwerk daarna opnieuw."
    ),
    "summary.error.other": (
        "Het toepassen van {sku} op {user} is mislukt ({error}): lees de fout op de pagina Licenties van de "
        "gebruiker, los de oorzaak op en verwerk daarna opnieuw."
    ),
    "summary.error.partial": "{sku} is actief voor {user}, maar niet elk onderdeel ervan kon worden toegepast.",
    "summary.group_errors": (
        "Leden van de groep {group} kregen niet alle licenties van de groep (in deze audit: {count}): open de "
        "pagina Licenties van de groep, los elke oorzaak op en verwerk de groep daarna opnieuw."
    ),
    "summary.group_errors.uncounted": (
        "Leden van de groep {group} kregen niet alle licenties van de groep: open de pagina Licenties van de "
        "groep, los elke oorzaak op en verwerk de groep daarna opnieuw."
    ),
    "summary.usage": (
        "Stel een gebruikslocatie in voor {user}; zonder gebruikslocatie kunnen geen licenties worden toegewezen."
    ),
    "summary.sub_trial": (
        "Koop het betaalde abonnement voordat de proefversie {subject} op {date} eindigt, of zet de gebruikers "
        "over en laat haar aflopen."
    ),
    "summary.sub_paid": (
        "Verleng {subject} of zet terugkerende facturering aan vóór {date}, of zet de gebruikers over en laat het "
        "aflopen."
    ),
    "summary.sub_past": (
        "{subject} is al voorbij de einddatum (status {status}): activeer het opnieuw, of zet de gebruikers over "
        "voordat ze toegang en gegevens verliezen."
    ),
    "summary.waiver": "Verleng de uitzondering samen met de eigenaar ({owner}), of los de gedekte bevinding op.",
    "summary.cross_tenant": (
        "Licenties kunnen niet tussen tenants worden overgezet: bepaal waar {identity} {sku} houdt en verwijder "
        "het in de andere tenants."
    ),
    "summary.rebalance": (
        "Licenties kunnen niet tussen tenants worden overgezet: verwijder de ongebruikte {sku}-licenties in "
        "{surplus} en koop de ontbrekende in {shortage}."
    ),
    "steps.remove.worldwide": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer {user} en open het tabblad Licenties en apps.",
        "Schakel onder Licenties het vakje voor {sku} uit en selecteer Wijzigingen opslaan.",
    ),
    "steps.remove.legacy": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer {user}; selecteer rechts in de rij Productlicenties de optie Bewerken.",
        "Zet de wisselknop voor {sku} op Uit en selecteer Opslaan > Sluiten > Sluiten.",
    ),
    "steps.remove.entra": (
        "Ga in het Microsoft Entra-beheercentrum naar Gebruikers > Alle gebruikers en selecteer {user}.",
        "Open Licenties, selecteer {sku} en kies Licentie verwijderen.",
    ),
    "steps.replace.worldwide": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer het rondje naast {user}.",
        "Selecteer bovenaan Meer opties (...) en daarna Productlicenties beheren.",
        "Selecteer in het deelvenster Productlicenties beheren de optie Bestaande productlicentietoewijzingen "
        "vervangen > Volgende.",
        "Zet de wisselknop op Aan voor {new} en voor elk ander product dat {user} houdt; zet de diensten die de "
        "gebruiker niet hoort te krijgen op Uit.",
        "Selecteer onderaan het deelvenster Bestaande producten vervangen de opties Vervangen > Sluiten.",
    ),
    "steps.replace.legacy": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Schakel het selectievakje naast {user} in.",
        "Selecteer in het deelvenster Bulkacties de optie Productlicenties bewerken.",
        "Selecteer in het deelvenster Producten toewijzen de opties Bestaande productlicentietoewijzingen "
        "vervangen > Volgende.",
        "Zet de wisselknop op Aan voor {new} en voor elk ander product dat {user} houdt; zet de diensten die de "
        "gebruiker niet hoort te krijgen op Uit.",
        "Selecteer onderaan het deelvenster Bestaande producten vervangen de opties Vervangen > Sluiten > Sluiten.",
    ),
    "steps.replace.caution": (
        "Vervangen neemt elke eerdere licentie van {user} weg, ook {old}: alleen wat u op Aan zet blijft over."
    ),
    "steps.assign.worldwide": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer {user} en open het tabblad Licenties en apps.",
        "Is er onder Locatie selecteren nog niets gekozen, kies dan het land waar de gebruiker werkt.",
        "Schakel onder Licenties het vakje voor {sku} in en selecteer Wijzigingen opslaan.",
    ),
    "steps.assign.legacy": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer {user}; selecteer rechts in de rij Productlicenties de optie Bewerken.",
        "Zet de wisselknop voor {sku} op Aan en selecteer Opslaan > Sluiten > Sluiten.",
    ),
    "steps.group.explain": (
        "{sku} komt bij {user} terecht via de groep {group}; een licentie die een groep toewijst, kan niet bij één "
        "gebruiker worden verwijderd."
    ),
    "steps.group.membership": (
        "Alleen voor {user}: ga in het Microsoft Entra-beheercentrum naar Groepen > Alle groepen > {group} > "
        "Leden, selecteer {user} en kies Verwijderen."
    ),
    "steps.group.license": (
        "Als geen enkel lid van {group} {sku} hoort te hebben: ga naar Groepen > Alle groepen > {group} > "
        "Licenties, selecteer {sku} en kies Licentie verwijderen."
    ),
    "steps.group.add": (
        "Als het product via een groep hoort te komen: ga in het Microsoft Entra-beheercentrum naar Groepen > "
        "Alle groepen, open de groep die {sku} toewijst, selecteer Leden > Leden toevoegen en voeg {user} toe."
    ),
    "steps.group.wait": (
        "Wacht tot de pagina Licenties van {user} {sku} als overgenomen van de groep toont, voordat u de directe "
        "toewijzing verwijdert."
    ),
    "steps.group.replace": (
        "Voeg {user} toe aan een groep die {new} toewijst (Groepen > Alle groepen > de groep > Leden > Leden "
        "toevoegen) en haal de gebruiker daarna uit {group}."
    ),
    "steps.data.keep": (
        "Bewaar vóór het verwijderen van de licentie wat de organisatie nog nodig heeft, bijvoorbeeld door het "
        "postvak om te zetten in een gedeeld postvak of in bewaring te plaatsen en OneDrive-bestanden te kopiëren; "
        "een postvak zonder licentie wordt na een respijtperiode verwijderd."
    ),
    "steps.disabled.confirm": (
        "Ga na of {user} geblokkeerd hoort te blijven, bijvoorbeeld omdat de persoon vertrokken is."
    ),
    "steps.inactive.confirm": (
        "Ga met de leidinggevende van {user} na of het account nog nodig is; zo ja, leg dan een uitzondering vast."
    ),
    "steps.guest.confirm": (
        "Voor de meeste gasttoegang is geen licentie van uw tenant nodig: ga na of {user} {sku} echt nodig heeft."
    ),
    "summary.loss.data": (
        "Bewaar eerst de gegevens voordat u {sku} bij {user} verwijdert: het verwijderen zou {plans} "
        "uitschakelen."
    ),
    "steps.loss.data": (
        "Alleen {sku} schakelt {plans} in voor {user}; niets anders dat {user} houdt, doet dat. Verwijderen "
        "beëindigt het postvak, het archief of de OneDrive-bestanden die daarbij horen. Bewaar daarom eerst "
        "de gegevens (zet het postvak bijvoorbeeld om in een gedeeld postvak, of verplaats de e-mail en "
        "bestanden) of geef {user} een product dat ze bevat, en verwijder {sku} pas daarna."
    ),
    "steps.combination.keep": (
        "{keep} schakelt voor {user} al alles in wat {sku} inschakelt: houd {keep} en verwijder {sku}."
    ),
    "steps.combination.choose": (
        "Bepaal welk product van {combination} {user} houdt; als het ene het andere al bevat, houd dan dat product."
    ),
    "steps.seats.reassign": "Geef de ongebruikte {sku}-licenties aan gebruikers die op een licentie wachten.",
    "steps.seats.remove": (
        "Als ze niet opnieuw worden toegewezen: ga in het Microsoft 365-beheercentrum naar Facturering > Uw "
        "producten.",
        "Selecteer het abonnement met {sku} en selecteer Licenties verwijderen.",
        "Vul het nieuwe totaal aantal licenties in ({target}) en selecteer Opslaan.",
    ),
    "steps.seats.free": (
        "Maak {sku}-licenties vrij van accounts die ze niet meer nodig hebben (zie de bevindingen over "
        "geblokkeerde, inactieve en gastgebruikers)."
    ),
    "steps.seats.buy": (
        "Koop er anders bij: ga in het Microsoft 365-beheercentrum naar Facturering > Uw producten.",
        "Selecteer het abonnement met {sku} en selecteer Licenties kopen.",
        "Vul het totaal aantal licenties in dat u nodig hebt ({target}) en rond de aankoop af.",
    ),
    "steps.not_approved.review": (
        "Bepaal met de eigenaar van het beleid of {sku} wordt goedgekeurd; zo ja, zet het bij de goedgekeurde "
        "producten in het beleid."
    ),
    "steps.not_approved.cancel": (
        "Als niemand het meer heeft, annuleer dan het abonnement (Facturering > Uw producten > {sku} selecteren "
        "> Abonnement annuleren) of verwijder de licenties."
    ),
    "steps.move.worldwide": (
        "Zet de gebruikers met {sku} over op een ander product: Gebruikers > Actieve gebruikers ({url}) > "
        "selecteer hen > Meer opties (...) > Productlicenties beheren > Bestaande productlicentietoewijzingen "
        "vervangen > Volgende > zet het nieuwe product op Aan > Vervangen > Sluiten."
    ),
    "steps.move.legacy": (
        "Zet de gebruikers met {sku} over op een ander product: Gebruikers > Actieve gebruikers ({url}) > "
        "selecteer hen > Bulkacties > Productlicenties bewerken > Bestaande productlicentietoewijzingen vervangen "
        "> Volgende > zet het nieuwe product op Aan > Vervangen > Sluiten > Sluiten."
    ),
    "steps.error.CountViolation": (
        "Maak {sku}-licenties vrij van gebruikers die ze niet meer nodig hebben, of koop er bij: Facturering > Uw "
        "producten > selecteer het abonnement > Licenties kopen."
    ),
    "steps.error.MutuallyExclusiveViolation": (
        "Bepaal welk van de botsende producten {user} houdt en verwijder het andere, of schakel de botsende "
        "dienst uit."
    ),
    "steps.error.DependencyViolation": (
        "Zoek het product waarvan een serviceplan een dienst van {sku} nodig heeft (de pagina Licenties van "
        "de gebruiker noemt het), verwijder het of schakel die dienst eerst uit, en verwijder pas daarna "
        "{sku}; pas bij groepsgebaseerde licenties beide groepen samen aan."
    ),
    "steps.error.UniquenessViolation": (
        "Zoek het andere object dat hetzelfde proxyadres gebruikt (bijvoorbeeld in het Exchange-beheercentrum) en "
        "wijzig of verwijder het dubbele adres."
    ),
    "steps.error.other": (
        "Ga in het Microsoft Entra-beheercentrum naar Gebruikers > Alle gebruikers > {user} > Licenties en lees de "
        "fout bij {sku}."
    ),
    "steps.error.group": (
        "De licentie komt van de groep {group}, dus andere leden kunnen dezelfde fout hebben: bekijk de pagina "
        "Licenties van de groep in het Microsoft Entra-beheercentrum."
    ),
    "steps.error.ProhibitedInUsageLocationViolation": (
        "Controleer de gebruikslocatie van {user}. Is dat niet waar de gebruiker werkt, stel dan de juiste in "
        "zoals hieronder. Klopt ze wel, dan wordt {sku} daar niet aangeboden: haal {user} dan uit de toewijzing "
        "(bij een groepslicentie: uit de groep) in plaats van de locatie te wijzigen."
    ),
    "steps.group_errors.open": (
        "Ga in het Microsoft Entra-beheercentrum naar Groepen > Alle groepen > {group} > Licenties: de melding "
        "daar toont de leden met een fout; selecteer een lid om de fout te zien."
    ),
    "steps.group_errors.cause": (
        "{error}, getroffen leden: {count}. De bevinding over de licentietoewijzingsfout van elk lid beschrijft "
        "deze oorzaak en de oplossing."
    ),
    "steps.group_errors.fix": (
        "Los de oorzaak per lid op zoals de fout aangeeft: maak licenties vrij of koop er bij, kies tussen "
        "botsende producten of diensten, corrigeer gebruikslocaties of dubbele proxyadressen."
    ),
    "steps.group_errors.reprocess": (
        "Selecteer daarna op de pagina Licenties van {group} de optie Opnieuw verwerken, zodat Microsoft Entra ID "
        "de licenties van de groep opnieuw op de leden toepast."
    ),
    "steps.reprocess": (
        "Verwerk daarna opnieuw: ga in het Microsoft Entra-beheercentrum naar Gebruikers > Alle gebruikers > "
        "{user} > Licenties en selecteer Opnieuw verwerken."
    ),
    "steps.usage.worldwide": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer {user} en open het tabblad Licenties en apps.",
        "Kies onder Locatie selecteren het land waar de gebruiker werkt en selecteer Wijzigingen opslaan.",
    ),
    "steps.usage.legacy": (
        "Ga in het Microsoft 365-beheercentrum naar Gebruikers > Actieve gebruikers ({url}).",
        "Selecteer {user}; selecteer rechts in de rij Productlicenties de optie Bewerken.",
        "Kies onder Locatie het land waar de gebruiker werkt en selecteer Opslaan > Sluiten > Sluiten.",
    ),
    "steps.usage.sync": (
        "Als accounts worden gesynchroniseerd vanuit een on-premises directory, stel de gebruikslocatie daar ook "
        "in, zodat nieuwe accounts er meteen een hebben."
    ),
    "steps.sub.status": (
        "Warning betekent dat het abonnement is verlopen en in de respijtperiode zit (gebruikers hebben nog "
        "toegang); Suspended betekent dat het is uitgeschakeld (gebruikers hebben geen toegang meer, beheerders "
        "kunnen nog een back-up maken)."
    ),
    "steps.sub.reactivate": (
        "Om het te houden: ga in het Microsoft 365-beheercentrum naar Facturering > Uw producten, selecteer {sku} "
        "en activeer of verleng het."
    ),
    "steps.sub.trial": (
        "Om het te houden: ga in het Microsoft 365-beheercentrum naar Facturering > Uw producten, selecteer de "
        "proefversie {sku} en koop het betaalde abonnement vóór {date}."
    ),
    "steps.sub.paid": (
        "Om het te houden: ga in het Microsoft 365-beheercentrum naar Facturering > Uw producten, selecteer {sku} "
        "en zet Terugkerende facturering aan, of verleng het vóór {date}."
    ),
    "steps.sub.lapse": (
        "Om het te laten aflopen: zet Terugkerende facturering uit of annuleer het zodra geen gebruiker er nog van "
        "afhankelijk is; maak eerst een back-up van gegevens die u nog nodig hebt."
    ),
    "steps.waiver.ask": "Vraag {owner} of de uitzondering voor {waiver_rule} op {waiver_subject} nog nodig is.",
    "steps.waiver.renew": (
        "Zo ja, geef de uitzondering in het beleidsbestand een nieuwe vervaldatum en een actuele reden, en laat de "
        "wijziging beoordelen."
    ),
    "steps.waiver.fix": (
        "Zo nee, verwijder de uitzondering en los de bevinding op zoals de aanwijzingen voor {waiver_rule} "
        "beschrijven."
    ),
    "steps.transfer.fact": (
        "Licenties kunnen niet van de ene tenant naar de andere worden overgezet; elke tenant heeft eigen "
        "licenties nodig."
    ),
    "steps.transfer.decide": (
        "Bepaal in welke tenant {identity} {sku} houdt en verwijder de licentie bij het account in de andere "
        "tenants (Gebruikers > Actieve gebruikers > de gebruiker > Licenties en apps)."
    ),
    "steps.transfer.vlsc": (
        "Koopt u via een volumelicentieovereenkomst, neem dan over de licenties contact op met het Volume "
        "Licensing Service Center."
    ),
    "steps.transfer.cancel": (
        "Als de tenant die u verlaat niet meer wordt gebruikt, annuleer dan het abonnement daar (Facturering > Uw "
        "producten) en koop de licenties in de tenant die ze nodig heeft."
    ),
    "steps.transfer.remove": (
        "Blijft die tenant in gebruik, verwijder daar dan de licenties die niet meer nodig zijn (Facturering > Uw "
        "producten > Licenties verwijderen) om de kosten te verlagen, en koop hetzelfde aantal in de andere tenant."
    ),
    "steps.transfer.migrate": (
        "Als mensen naar de andere tenant verhuizen, migreer dan ook hun postvakken (postvakmigratie tussen "
        "tenants) en hun SharePoint-gegevens (cloudinhoudsmigratie)."
    ),
    "role.assign": "Globale beheerder, licentiebeheerder of gebruikersbeheerder",
    "role.group": (
        "Globale beheerder, licentiebeheerder of gebruikersbeheerder; een groepsbeheerder of de eigenaar van de "
        "groep kan ook de leden wijzigen"
    ),
    "role.billing_assign": (
        "Factureringsbeheerder of globale beheerder om te kopen, te verwijderen of te verlengen; globale "
        "beheerder, licentiebeheerder of gebruikersbeheerder om licenties toe te wijzen"
    ),
    "role.transfer": (
        "Factureringsbeheerder of globale beheerder in elke tenant; Exchange-beheerder en SharePoint-beheerder "
        "voor de gegevensmigratie"
    ),
    "role.waiver": "Beheerder van het beleidsbestand, samen met de eigenaar van de uitzondering",
    "next.freed": (
        "Wijs de vrijgekomen licenties opnieuw toe aan gebruikers die ze nodig hebben, of verwijder ze uit het "
        "abonnement (Facturering > Uw producten > Licenties verwijderen) zodat u niet voor meer licenties betaalt "
        "dan u nodig hebt."
    ),
    "next.partner": (
        "Zijn de licenties gekocht via een partner of een volumelicentieovereenkomst, dan past de partner of het "
        "Volume Licensing Service Center het aantal voor u aan."
    ),
    "next.transfer_cost": (
        "Controleer daarna de aantallen licenties in elke betrokken tenant, zodat geen enkele tenant betaalt voor "
        "licenties die hij niet gebruikt."
    ),
    "next.rerun": "Voer de audit opnieuw uit om te bevestigen dat de bevinding is opgelost.",
    "graph.remove": "Verwijdert de direct toegewezen {sku} bij {user}.",
    "graph.remove_or_replace": (
        "Verwijdert {sku} bij {user}; om het in dezelfde aanroep te vervangen, zet u de skuId van het toegestane "
        "product in addLicenses."
    ),
    "graph.replace": (
        "Eén aanroep voor {user} voegt {new} toe en verwijdert {old} tegelijk, zodat de gebruiker nooit zonder "
        "licentie zit."
    ),
    "graph.add": "Wijst {sku} toe aan {user}; de gebruiker heeft eerst een gebruikslocatie nodig.",
    "graph.membership": (
        "Haalt {user} uit de groep {group}; de licenties die de groep toewijst, gelden dan niet meer voor de "
        "gebruiker."
    ),
    "graph.membership_many": (
        "Haalt {user} uit een van de groepen die {sku} toewijzen ({group}); herhaal dit voor elk van die groepen, "
        "want de licentie blijft zolang er nog een groep is die haar toewijst."
    ),
    "graph.membership_lookup": (
        "Haalt {user} uit de groep {group}; zoek eerst de id van de groep op en zet die in het pad."
    ),
    "graph.remove_after_group": (
        "Verwijdert de directe toewijzing van {sku} zodra de groepslicentie voor {user} actief is."
    ),
    "graph.reprocess": (
        "Laat Microsoft Entra ID de licenties van {user} opnieuw toepassen, nadat de oorzaak is opgelost."
    ),
    "graph.group_errors": "Toont de leden van {group} bij wie de licenties van de groep niet konden worden toegepast.",
    "graph.usage": (
        "Stelt de gebruikslocatie van {user} in; vervang XX door de landcode van twee letters (ISO 3166-1), "
        "bijvoorbeeld NL."
    ),
    "graph.reassign": (
        "Wijst één ongebruikte {sku}-licentie toe aan een gebruiker die er een nodig heeft (zet de id van die "
        "gebruiker in het pad). Graph kan het aantal gekochte licenties niet wijzigen; doe dat in het beheercentrum."
    ),
    "graph.holders": "Toont de gebruikers die {sku} hebben.",
    "graph.combination": "Verwijdert {sku} bij {user}; {keep} blijft en dekt het af.",
    "graph.cross_remove": (
        "Uit te voeren in de tenant waar de licentie niet nodig is: verwijdert daar {sku} bij {user}."
    ),
    "link.move_users": "Gebruikers naar een ander abonnement overzetten",
    "link.assign_licenses": "Licenties toewijzen aan gebruikers",
    "link.unassign_licenses": "Toewijzing van licenties aan gebruikers ongedaan maken",
    "link.buy_licenses": "Licenties kopen of verwijderen",
    "link.admin_roles": "Over beheerdersrollen in het Microsoft 365-beheercentrum",
    "link.cancel_subscription": "Uw abonnement annuleren",
    "link.renew_subscription": "Uw abonnement verlengen",
    "link.subscription_ends": "Wat gebeurt er met mijn gegevens en toegang als mijn abonnement afloopt?",
    "link.group_licensing": "Licenties aan gebruikers toewijzen via groepslidmaatschap",
    "link.group_problems": "Problemen met licentietoewijzing voor een groep vinden en oplossen",
    "link.resolve_find": "Licentieproblemen van een groep oplossen: fouten bij licentietoewijzing vinden",
    "link.resolve_count": "Licentieproblemen van een groep oplossen: niet genoeg licenties",
    "link.resolve_conflict": "Licentieproblemen van een groep oplossen: conflicterende serviceplannen",
    "link.resolve_dependency": (
        "Licentieproblemen van een groep oplossen: andere producten zijn afhankelijk van deze licentie"
    ),
    "link.resolve_location": "Licentieproblemen van een groep oplossen: gebruikslocatie is niet toegestaan",
    "link.resolve_proxy": "Licentieproblemen van een groep oplossen: dubbele proxyadressen",
    "link.resolve_reprocess": "Licentieproblemen van een groep oplossen: groepslicenties opnieuw laten verwerken",
    "link.vlsc": "Volume Licensing Service Center",
    "link.mailbox_migration": "Postvakmigratie tussen tenants",
    "link.sharepoint_migration": "Migratie van SharePoint-gegevens",
}
