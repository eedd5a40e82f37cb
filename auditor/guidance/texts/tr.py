"""Turkish guidance text. UI labels as in the Turkish Microsoft 365 and Microsoft Entra admin centers.

Placeholders never carry Turkish case suffixes: a noun after them ("kullanıcısı", "ürünü",
"grubu") takes the suffix instead, so any name reads correctly.
"""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    "word.or": "veya",
    "word.none": "yok",
    "word.unknown": "bilinmiyor",
    "rule.sku-not-allowed.title": "Ürüne izin verilmiyor",
    "rule.sku-not-allowed.describe": (
        "Kullanıcıda, ilkenin bu kullanıcı grubu için izin vermediği bir ürün var. İzin verilen bir ürüne geçmek "
        "lisanslamayı amaçlandığı gibi tutar ve yanlış plan için ödeme yapılmasını önler."
    ),
    "rule.sku-not-allowed.message": (
        "{user} kullanıcısında {sku} ürünü var; ilke burada buna izin vermiyor (izin verilenler: {allowed})."
    ),
    "rule.sku-forbidden.title": "Yasaklı ürün",
    "rule.sku-forbidden.describe": (
        "İlke bu ürünü kullanıcı için yasaklıyor. Yasaklı bir lisans para tutar ve kullanıcının sahip olmaması "
        "gereken hizmetlere erişim verebilir."
    ),
    "rule.sku-forbidden.message": "{user} kullanıcısında, ilkenin yasakladığı {sku} ürünü var.",
    "rule.sku-required-missing.title": "Gerekli ürün eksik",
    "rule.sku-required-missing.describe": (
        "Kullanıcıda ilkenin gerektirdiği ürünlerin hiçbiri yok; bu nedenle işi için gereken hizmetler eksik "
        "olabilir."
    ),
    "rule.sku-required-missing.message": "{user} kullanıcısında gerekli ürünlerin hiçbiri yok ({required}).",
    "rule.sku-combination-forbidden.title": "Yasaklı ürün birleşimi",
    "rule.sku-combination-forbidden.describe": (
        "Kullanıcıda, ilkeye göre birlikte bulunmaması gereken ürünler var; genellikle biri diğerini zaten içerir "
        "ve kuruluş iki kez ödeme yapar."
    ),
    "rule.sku-combination-forbidden.message": (
        "{user} kullanıcısında {combination} ürünleri birlikte var; ilke bu birleşimi yasaklıyor."
    ),
    "rule.assignment-not-group-based.title": "Lisans bir grup üzerinden atanmamış",
    "rule.assignment-not-group-based.describe": (
        "İlke bu ürünün bir gruptan gelmesini bekliyor. Doğrudan atamalar, kişiler görev değiştirdiğinde veya "
        "ayrıldığında kolayca unutulur."
    ),
    "rule.assignment-not-group-based.message": (
        "{user} kullanıcısına {sku} ürünü bir grup yerine doğrudan atanmış."
    ),
    "rule.spare-seats-over-limit.title": "Çok fazla kullanılmayan lisans",
    "rule.spare-seats-over-limit.describe": (
        "Kuruluş, kullanımdakinden daha fazla lisans için ödeme yapıyor ve fark ilkenin izin verdiği payı aşıyor."
    ),
    "rule.spare-seats-over-limit.message": (
        "{sku}: {enabled} lisanstan {unused} tanesi kullanılmıyor; ilke en fazla {limit} tanesine izin veriyor."
    ),
    "rule.spare-seats-over-limit.message.renewal": (
        "{sku}: {enabled} lisanstan {unused} tanesi kullanılmıyor; ilke en fazla {limit} tanesine izin "
        "veriyor. {date} tarihindeki yenilemede {excess} azaltın."
    ),
    "rule.spare-seats-under-minimum.title": "Çok az boş lisans",
    "rule.spare-seats-under-minimum.describe": (
        "Boş lisans sayısı ilkenin istediği yedek payın altında; yeni çalışanlar zamanında lisans alamayabilir."
    ),
    "rule.spare-seats-under-minimum.message": (
        "{sku}: {enabled} lisanstan {unused} tanesi boş; ilke en az {min} tane istiyor."
    ),
    "rule.spare-seats-under-minimum.message.over": (
        "{sku}: {consumed} lisans atanmış, ancak yalnızca {enabled} tanesi mevcut."
    ),
    "rule.sku-not-approved.title": "Ürün onaylı değil",
    "rule.sku-not-approved.describe": (
        "Kiracıda ilkenin onaylamadığı bir ürün var; olağan süreç dışında satın alınmış veya deneme olarak "
        "başlatılmış olabilir."
    ),
    "rule.sku-not-approved.message": (
        "{sku} ilkenin onaylı ürünler listesinde yok ({enabled} lisans, {consumed} atanmış)."
    ),
    "rule.seats-in-grace.title": "Ek süredeki lisanslar",
    "rule.seats-in-grace.describe": (
        "Aboneliğin süresi doldu ve lisansları ek süre içinde: hâlâ çalışıyorlar, ancak abonelik askıya "
        "alındığında kullanıcılar erişimini kaybeder."
    ),
    "rule.seats-in-grace.message": "{sku}: {count} lisans ek süre içinde ve yenilenmezse {date} tarihinde sona erecek.",
    "rule.seats-in-grace.message.undated": "{sku}: {count} lisans ek süre içinde ve yenilenmezse sona erecek.",
    "rule.license-suspended.title": "Askıya alınmış ürünün lisansları",
    "rule.license-suspended.describe": (
        "Kullanıcılar, aboneliği askıya alınmış veya kilitlenmiş bir ürünün lisanslarına sahip; bu nedenle "
        "hizmetlerini kaybettiler veya kaybediyorlar."
    ),
    "rule.license-suspended.message": (
        "{sku}: atanmış {consumed} lisanstan {count} tanesi askıya alındı veya kilitlendi; kullanıcıları "
        "erişimini kaybetti veya kaybediyor."
    ),
    "rule.disabled-user-licensed.title": "Engellenmiş kullanıcıda lisans var",
    "rule.disabled-user-licensed.describe": (
        "Hesabın oturum açması engellenmiş, ancak hesap hâlâ ücretli bir lisans kullanıyor."
    ),
    "rule.disabled-user-licensed.message": (
        "{user} kullanıcısının oturum açması engellenmiş, ancak hâlâ {sku} ürünü var."
    ),
    "rule.inactive-user-licensed.title": "Etkin olmayan kullanıcıda lisans var",
    "rule.inactive-user-licensed.describe": (
        "Hesap uzun süredir kullanılmıyor, ancak hâlâ ücretli bir lisans kullanıyor."
    ),
    "rule.inactive-user-licensed.message": (
        "{user} kullanıcısında {sku} ürünü var, ancak en az {days} gündür oturum açmamış (son oturum açma: "
        "{last_sign_in})."
    ),
    "rule.inactive-user-licensed.message.never": (
        "{user} kullanıcısında {sku} ürünü var, ancak hiç oturum açmamış (sınır: {days} gün)."
    ),
    "rule.inactive-user-licensed.message.attempts": (
        "{user} kullanıcısında {sku} ürünü var, ancak en az {days} gündür başarılı oturum açmamış (son başarılı "
        "oturum açma: {last_sign_in}); oturum açma denemeleri {last_attempt} tarihine kadar sürdü, bu nedenle "
        "hesabın oturum açma günlüklerini denetleyin."
    ),
    "rule.inactive-user-licensed.message.never.attempts": (
        "{user} kullanıcısında {sku} ürünü var, ancak hiç başarılı oturum açmamış (sınır: {days} gün); "
        "{last_attempt} tarihine kadar oturum açma denemeleri yapıldı, bu nedenle hesabın oturum açma "
        "günlüklerini denetleyin."
    ),
    "rule.license-assigned-twice.title": "Ürün iki kez atanmış",
    "rule.license-assigned-twice.describe": (
        "Kullanıcıda bir ürün hem doğrudan hem de bir grup üzerinden var. Doğrudan atama genellikle bir şey "
        "eklemez ve grup tabanlı lisanslamaya geçişten geride kalmıştır, ancak grubun atamasının kapattığı "
        "hizmetleri açıyor olabilir."
    ),
    "rule.license-assigned-twice.message": (
        "{user} kullanıcısında {sku} ürünü hem doğrudan hem de bir grup üzerinden var."
    ),
    "rule.license-redundant.title": "Ürün, başka bir ürünün yanında bir şey eklemiyor",
    "rule.license-redundant.describe": (
        "Bu ürünün kullanıcı için açtığı her hizmet, kullanıcının sahip olduğu başka bir ürün tarafından aynı "
        "hizmet planıyla veya aynı hizmetin daha yüksek bir planıyla zaten açılıyor (Microsoft 365 E3 yanında "
        "Exchange Online (Plan 1)). Kaldırmak hiçbir şey eksiltmez ve ürünün maliyetini ortadan kaldırır."
    ),
    "rule.license-redundant.message": (
        "{cover} ürünü, {user} kullanıcısı için {sku} kapsamındaki her hizmeti zaten açıyor."
    ),
    "rule.license-redundant.message.several": (
        "{user} kullanıcısının sahip olduğu diğer ürünler, {sku} kapsamındaki her hizmeti zaten açıyor."
    ),
    "summary.redundant": (
        "{cover} ürünü {user} kullanıcısına {sku} ürününün her hizmetini zaten veriyor: {sku} ürününü kaldırın."
    ),
    "summary.redundant_group": (
        "{sku} ürünü {group} grubundan geliyor ve {cover} ürünü {user} kullanıcısına onun her hizmetini zaten "
        "veriyor: {user} kullanıcısını gruptan çıkarın veya {sku} ürününü grubun lisanslarından kaldırın."
    ),
    "summary.redundant_same_group": (
        "{group} grubu {user} kullanıcısına hem {sku} hem de {cover} ürününü veriyor ve {cover} ürünü {sku} "
        "ürününün her hizmetini zaten açıyor: {sku} ürününü grubun lisanslarından kaldırın."
    ),
    "steps.redundant.keep": (
        "{cover} ürünü kalır ve {sku} ürününün {user} kullanıcısı için açtığı her hizmeti açık tutar (aynı hizmet "
        "planı veya aynı hizmetin daha yüksek bir planı); bu yüzden {sku} ürününü kaldırmak hiçbir şeyi kapatmaz."
    ),
    "steps.redundant.same_group": (
        "{group} grubu {cover} ürününü de atıyor; bu yüzden {user} kullanıcısını gruptan çıkarmak {cover} "
        "ürününü de götürür. Bunun yerine grubun {cover} ürününün, grubun {sku} ürününün açtığı her hizmeti "
        "açtığını denetleyin, ardından Microsoft Entra yönetim merkezinde Gruplar > Tüm gruplar > {group} > "
        "Lisanslar'a gidin, {sku} ürününü seçin ve Lisansı kaldır'ı seçin."
    ),
    "graph.remove_redundant": (
        "{sku} ürününü {user} kullanıcısından kaldırır; onu kapsayan ürün kalır."
    ),
    "rule.guest-licensed.title": "Konuk kullanıcıda lisans var",
    "rule.guest-licensed.describe": (
        "Kuruluş dışından bir konuk bu kiracının ücretli bir lisansına sahip; konukların buna nadiren ihtiyacı olur."
    ),
    "rule.guest-licensed.message": "{user} konuk kullanıcısında {sku} ürünü var.",
    "rule.shared-mailbox-licensed.title": "Paylaşılan posta kutusunda lisans var",
    "rule.shared-mailbox-licensed.describe": (
        "Paylaşılan, oda veya ekipman posta kutusu ücretli bir lisans kullanıyor. Böyle bir posta kutusu; 50 GB'tan "
        "fazla veri tutmadıkça, arşivi olmadıkça veya dava ya da bekletme ilkesi kapsamında saklamada olmadıkça "
        "lisanssız çalışır."
    ),
    "rule.shared-mailbox-licensed.message": (
        "{user} paylaşılan bir posta kutusu olduğu halde {sku} ürününe sahip; lisans yalnızca 50 GB'ın üzerinde, "
        "arşiv varken veya saklamadayken gerekir."
    ),
    "rule.shared-mailbox-licensed.message.room": (
        "{user} bir oda posta kutusu olduğu halde {sku} ürününe sahip; lisans yalnızca 50 GB'ın üzerinde, arşiv "
        "varken veya saklamadayken gerekir."
    ),
    "rule.shared-mailbox-licensed.message.equipment": (
        "{user} bir ekipman posta kutusu olduğu halde {sku} ürününe sahip; lisans yalnızca 50 GB'ın üzerinde, arşiv "
        "varken veya saklamadayken gerekir."
    ),
    "message.shared_mailbox_unknown": (
        "Denetçi bunun paylaşılan, oda veya ekipman posta kutusu olup olmadığını belirleyemedi; böyle bir posta "
        "kutusu genellikle lisans gerektirmez."
    ),
    "summary.shared_mailbox": (
        "Paylaşılan, oda veya ekipman posta kutusu; 50 GB'tan fazla veri tutmadıkça, arşivi olmadıkça veya "
        "saklamada olmadıkça lisans gerektirmez: önce bunları denetleyin."
    ),
    "steps.shared.check": (
        "Exchange yönetim merkezinde Alıcılar > Posta kutuları'na gidin ve {user} posta kutusunu seçin.",
        "Posta kutusunun ne kadar veri tuttuğuna ve arşivinin açık olup olmadığına bakın: 50 GB'ın üzerindeyse veya "
        "arşivi varsa lisansını korur.",
        "Microsoft Purview portalında {user} için dava saklaması, eKeşif saklaması veya bir bekletme ilkesi olup "
        "olmadığını denetleyin: saklamadaki bir posta kutusu lisansını korur.",
        "Lisansı yalnızca bunların hiçbiri geçerli değilse aşağıda anlatıldığı gibi kaldırın; posta kutusu lisanssız "
        "çalışmaya devam eder.",
    ),
    "steps.mailbox.unknown": (
        "Denetçi {user} hesabının posta kutusu ayarlarını okuyamadı (uygulamanın MailboxSettings.Read iznine "
        "ihtiyacı var). Exchange yönetim merkezinde Alıcılar > Posta kutuları altında bunun paylaşılan, oda veya "
        "ekipman posta kutusu olup olmadığını denetleyin; öyleyse lisans yalnızca 50 GB'tan fazla veri tuttuğunda, "
        "arşivi olduğunda veya saklamada olduğunda gerekir."
    ),
    "link.shared_mailbox": "Paylaşılan posta kutuları hakkında",
    "rule.license-assignment-error.title": "Lisans atama hatası",
    "rule.license-assignment-error.describe": (
        "Microsoft Entra ID lisansı tam olarak uygulayamadı; kullanıcının bazı hizmetleri eksik olabilir."
    ),
    "rule.license-assignment-error.message": (
        "{sku} ürününün {user} kullanıcısına uygulanması {error} hatasıyla başarısız oldu."
    ),
    "rule.license-assignment-error.message.partial": (
        "{sku}, {user} için etkin, ancak tamamı uygulanamadı (hata {error})."
    ),
    "rule.license-assignment-error.message.disabled": (
        "{sku} ürününün {user} kullanıcısına ataması devre dışı ve {error} hatasını bildiriyor."
    ),
    "rule.group-license-errors.title": "Lisans atama hataları olan grup",
    "rule.group-license-errors.describe": (
        "Microsoft Entra ID, bu grubun bazı üyelerine grubun atadığı lisansları veremedi. Düzeltme grupta başlar: "
        "grubun Lisanslar sayfası hata durumundaki üyeleri listeler."
    ),
    "rule.group-license-errors.message": (
        "{group} grubunun lisansları üyelerinin bir kısmına uygulanamadı (bu denetimdeki üyeler: {count}; hatalar: "
        "{errors})."
    ),
    "rule.group-license-errors.message.uncounted": (
        "Microsoft Entra ID, {group} grubunun lisansları uygulanamayan üyeleri olduğunu bildiriyor."
    ),
    "rule.usage-location-missing.title": "Kullanım konumu eksik",
    "rule.usage-location-missing.describe": (
        "Sunulan hizmetler ülkeye göre değiştiği için lisanslar yalnızca kullanım konumu olan kullanıcılara "
        "atanabilir."
    ),
    "rule.usage-location-missing.message": "{user} kullanıcısının kullanım konumu yok.",
    "rule.subscription-expiring.title": "Abonelik sona eriyor",
    "rule.subscription-expiring.describe": (
        "Bir abonelik sona erdiğinde kullanıcıları onun hizmetlerini, bir ek süreden sonra da ilgili verileri "
        "kaybeder."
    ),
    "rule.subscription-expiring.message.trial": (
        "{subject} deneme sürümü {date} tarihinde sona eriyor (kalan gün: {days_left})."
    ),
    "rule.subscription-expiring.message.paid": (
        "{subject} aboneliği {date} tarihinde sona eriyor (kalan gün: {days_left})."
    ),
    "rule.subscription-expiring.message.warning": (
        "{subject} aboneliğinin süresi doldu ve ek süre içinde: kullanıcılar, abonelik {date} tarihinde "
        "askıya alınana kadar erişimini korur."
    ),
    "rule.subscription-expiring.message.warning.undated": (
        "{subject} aboneliğinin süresi doldu ve ek süre içinde: kullanıcıların erişimi sürüyor."
    ),
    "rule.subscription-expiring.message.suspended": (
        "{subject} aboneliği askıya alındı: kullanıcılar erişimini kaybetti ve abonelik {date} tarihinde "
        "silinecek."
    ),
    "rule.subscription-expiring.message.suspended.undated": (
        "{subject} aboneliği askıya alındı: kullanıcılar erişimini kaybetti."
    ),
    "rule.subscription-expiring.message.lockedout": (
        "{subject} aboneliği kilitlendi: kullanıcılar erişimini kaybetti ve abonelik {date} tarihinde "
        "silinecek."
    ),
    "rule.subscription-expiring.message.lockedout.undated": (
        "{subject} aboneliği kilitlendi: kullanıcılar erişimini kaybetti."
    ),
    "rule.subscription-expiring.message.past": (
        "{subject} aboneliği {date} tarihinde bitiş tarihine ulaştı; durumu: {status}."
    ),
    "rule.subscription-expiring.message.past.undated": (
        "{subject} aboneliği sona erdi; durumu: {status}."
    ),
    "rule.waiver-expired.title": "Muafiyetin süresi doldu",
    "rule.waiver-expired.describe": (
        "İlkeye yönelik üzerinde anlaşılmış bir istisnanın süresi doldu; kapsadığı bulgu yeniden sayılıyor."
    ),
    "rule.waiver-expired.message": (
        "{waiver_subject} için {waiver_rule} muafiyetinin (sahibi: {owner}) süresi {expires} tarihinde doldu."
    ),
    "rule.cross-tenant-duplicate.title": "Birden fazla kiracıda lisans",
    "rule.cross-tenant-duplicate.describe": (
        "Aynı kişi, kuruluşun birden fazla kiracısında aynı ürüne sahip ve her kiracı bunun için ödeme yapıyor."
    ),
    "rule.cross-tenant-duplicate.message": "{identity} kimliğinde {sku} ürünü birden fazla kiracıda var: {tenants}.",
    "rule.seats-rebalance-across-tenants.title": "Bir kiracıda kullanılmayan, diğerinde eksik lisanslar",
    "rule.seats-rebalance-across-tenants.describe": (
        "Bir kiracı, başka bir kiracıda eksik olan bir ürünün kullanılmayan lisansları için ödeme yapıyor. "
        "Lisanslar kiracılar arasında aktarılamaz; çözüm, birinde lisansları kaldırıp diğerinde satın almaktır."
    ),
    "rule.seats-rebalance-across-tenants.message": (
        "{sku}: kullanılmayan lisanslar: {surplus}; eksik lisanslar: {shortage}."
    ),
    "summary.remove": "{user} kullanıcısından {sku} ürününü kaldırın.",
    "summary.remove_group": (
        "{sku} ürünü {group} grubundan geliyor: kullanıcıyı değil, {user} kullanıcısının grup üyeliğini veya "
        "grubun lisanslarını değiştirin."
    ),
    "summary.remove_mixed": (
        "{direct} ürününü {user} kullanıcısından doğrudan kaldırın; {grouped} ürünü bir gruptan geliyor ve grup "
        "üzerinden değiştirilmelidir."
    ),
    "summary.replace": "{user} kullanıcısı için {old} ürününü tek adımda {new} ile değiştirin.",
    "summary.replace_group": (
        "{old} ürünü {group} grubundan geliyor: {user} kullanıcısını bunun yerine {new} ürününü atayan bir gruba "
        "taşıyın."
    ),
    "summary.not_allowed": (
        "{user} kullanıcısını {sku} ürününden izin verilen bir ürüne ({allowed}) taşıyın veya {sku} ürününü kaldırın."
    ),
    "summary.assign": "{user} kullanıcısına gerekli ürünlerden birini verin: {sku}.",
    "summary.to_group.redundant": (
        "{user}, {sku} ürününü {group} grubundan da alıyor; bu nedenle doğrudan atama gereksiz: kaldırın."
    ),
    "summary.to_group.loss": (
        "{user}, {sku} ürününü {group} grubundan da alıyor, ancak doğrudan atamayı kaldırmak {plans} "
        "hizmetlerini kapatır: önce bunları grubun lisanslarında açın."
    ),
    "steps.group.redundant": (
        "{sku}: {group} grubu, doğrudan atamanın açtığı her hizmeti {user} kullanıcısına zaten veriyor; "
        "yalnızca doğrudan atamayı kaldırın, gruptan gelen atama kalır."
    ),
    "steps.group.loss": (
        "{sku}: doğrudan atamayı henüz kaldırmayın. Bu atama, {group} grubundan gelen atamanın kapattığı "
        "{plans} hizmetlerini açıyor. Bunları grubun lisans ayarlarında açın (Microsoft Entra yönetim merkezi"
        " > Gruplar > Tüm gruplar > {group} > Lisanslar), grubun işlenmesini bekleyin, ardından doğrudan "
        "atamayı kaldırın."
    ),
    "graph.remove_direct": (
        "{sku} ürününün doğrudan atamasını kaldırın; gruptan gelen atama kalır."
    ),
    "summary.to_group": (
        "{user} kullanıcısını {sku} ürününü ataması gereken gruba ekleyin, ardından doğrudan atamayı kaldırın."
    ),
    "summary.combination": (
        "{combination} ürünlerinden hangisinin {user} kullanıcısında kalacağına karar verin ve diğerlerini kaldırın."
    ),
    "summary.seats_over": (
        "Kullanılmayan {sku} lisanslarını yeniden atayın veya {excess} tanesini abonelikten kaldırın."
    ),
    "summary.seats_over.renewal": (
        "Kullanılmayan {sku} lisanslarını yeniden atayın veya aboneliği {date} tarihindeki yenilemede "
        "{excess} azaltın: süreli bir abonelikteki lisanslar yalnızca yenilemede azaltılabilir."
    ),
    "summary.seats_under": "En az {min} tanesi boş kalacak şekilde {sku} lisanslarını boşaltın veya satın alın.",
    "summary.seats_short": (
        "Satın alınandan daha fazla {sku} lisansı atanmış ({short} eksik): daha fazla satın alın veya şimdi bazılarını "
        "boşaltın."
    ),
    "summary.grace": (
        "{count} {sku} lisansı yenilenmezse {date} tarihinde sona erecek: aboneliği yenileyin veya o tarihten"
        " önce kullanılan lisansları azaltın."
    ),
    "summary.grace.undated": (
        "{count} {sku} lisansı ek süre içinde ve yenilenmezse sona erecek: aboneliği yenileyin veya "
        "kullanılan lisansları azaltın."
    ),
    "summary.suspended": (
        "{count} kullanıcının askıya alınmış veya kilitlenmiş {sku} lisansı var: erişimini kaybettiler veya "
        "kaybediyorlar. Aboneliği yeniden etkinleştirin veya onları başka bir ürüne taşıyın."
    ),
    "steps.grace.reduce": (
        "Lisanslara artık ihtiyaç yoksa, kimse beklenmedik şekilde erişimini kaybetmesin diye sona ermeden "
        "önce {count} tanesini kullanıcılardan kaldırın."
    ),
    "summary.not_approved": (
        "{sku} ürününü ilkede onaylayın veya kullanıcılarını onaylı bir ürüne taşıyıp ardından lisanslarını "
        "kaldırın ya da aboneliği iptal edin."
    ),
    "summary.error.CountViolation": (
        "Yeterli {sku} lisansı yok: bazılarını boşaltın veya daha fazla satın alın, ardından {user} kullanıcısını "
        "yeniden işleyin."
    ),
    "summary.error.MutuallyExclusiveViolation": (
        "{sku} içindeki bir hizmet, {user} kullanıcısının başka bir üründen zaten sahip olduğu bir hizmetle "
        "çakışıyor: kullanıcının hangisini tutacağına karar verin, ardından yeniden işleyin."
    ),
    "summary.error.DependencyViolation": (
        "{sku} ürününün {user} kullanıcısından kaldırılması engellendi: {user} kullanıcısındaki başka bir "
        "ürünün bir hizmeti {sku} ürününe bağlı. Önce o ürünü kaldırın veya {sku} ürününü tutun, ardından "
        "yeniden işleyin."
    ),
    "summary.error.UniquenessViolation": (
        "Başka bir nesne {user} kullanıcısının proxy adreslerinden birini kullanıyor: yinelenen adresi düzeltin, "
        "ardından yeniden işleyin."
    ),
    "summary.error.usage": (
        "{sku}, {user} kullanıcısının kullanım konumunda sunulmuyor: konum yanlışsa düzeltin; değilse kullanıcı "
        "orada {sku} ürününe sahip olamaz. Ardından yeniden işleyin."
    ),
    "summary.error.other": (
        "{sku} ürününün {user} kullanıcısına uygulanması başarısız oldu ({error}): kullanıcının Lisanslar "
        "sayfasındaki hatayı okuyun, nedeni düzeltin, ardından yeniden işleyin."
    ),
    "summary.error.partial": "{sku}, {user} için etkin, ancak her bölümü uygulanamadı.",
    "summary.group_errors": (
        "{group} grubunun üyeleri grubun tüm lisanslarını alamadı (bu denetimde: {count}): grubun Lisanslar "
        "sayfasını açın, her nedeni düzeltin, ardından grubu yeniden işleyin."
    ),
    "summary.group_errors.uncounted": (
        "{group} grubunun üyeleri grubun tüm lisanslarını alamadı: grubun Lisanslar sayfasını açın, her nedeni "
        "düzeltin, ardından grubu yeniden işleyin."
    ),
    "summary.usage": (
        "{user} kullanıcısı için bir kullanım konumu ayarlayın; konum olmadan lisans atanamaz."
    ),
    "summary.sub_trial": (
        "{subject} deneme sürümü {date} tarihinde bitmeden ücretli aboneliği satın alın veya kullanıcılarını "
        "taşıyıp sona ermesine izin verin."
    ),
    "summary.sub_paid": (
        "{date} tarihinden önce {subject} aboneliğini yenileyin veya yinelenen faturalamayı açın; ya da "
        "kullanıcılarını taşıyıp sona ermesine izin verin."
    ),
    "summary.sub_past": (
        "{subject} bitiş tarihini zaten geçti (durum: {status}): yeniden etkinleştirin veya kullanıcılar erişimi "
        "ve verileri kaybetmeden önce onları taşıyın."
    ),
    "summary.waiver": "Muafiyeti sahibiyle ({owner}) birlikte yenileyin veya kapsadığı bulguyu düzeltin.",
    "summary.cross_tenant": (
        "Lisanslar kiracılar arasında aktarılamaz: {identity} kimliğinin {sku} ürününü hangi kiracıda tutacağına "
        "karar verin ve diğer kiracılarda kaldırın."
    ),
    "summary.rebalance": (
        "Lisanslar kiracılar arasında aktarılamaz: kullanılmayan {sku} lisanslarını şu kiracıda kaldırın: "
        "{surplus}; eksik olanları şu kiracıda satın alın: {shortage}."
    ),
    "steps.remove.worldwide": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısını seçin ve Lisanslar ve Uygulamalar sekmesini açın.",
        "Lisanslar altında {sku} kutusunun işaretini kaldırın ve Değişiklikleri kaydet'i seçin.",
    ),
    "steps.remove.legacy": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısını seçin; sağda Ürün lisansları satırında Düzenle'yi seçin.",
        "{sku} için iki durumlu düğmeyi Kapalı konumuna getirin ve Kaydet > Kapat > Kapat'ı seçin.",
    ),
    "steps.remove.entra": (
        "Microsoft Entra yönetim merkezinde Kullanıcılar > Tüm kullanıcılar'a gidin ve {user} kullanıcısını seçin.",
        "Lisanslar'ı açın, {sku} ürününü seçin ve Lisansı kaldır'ı seçin.",
    ),
    "steps.replace.worldwide": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısının yanındaki daireyi seçin.",
        "Üst kısımda Diğer seçenekler (...) ve ardından Ürün lisanslarını yönet'i seçin.",
        "Ürün lisanslarını yönet bölmesinde Mevcut ürün lisansı atamalarını değiştir > İleri'yi seçin.",
        "{new} ve {user} kullanıcısında kalacak diğer her ürün için iki durumlu düğmeyi Açık konumuna getirin; "
        "kullanıcının almaması gereken hizmetleri Kapalı konumuna getirin.",
        "Var olan ürünleri değiştir bölmesinin altında Değiştir > Kapat'ı seçin.",
    ),
    "steps.replace.legacy": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısının yanındaki onay kutusunu seçin.",
        "Toplu eylemler bölmesinde Ürün lisanslarını düzenle'yi seçin.",
        "Ürünleri ata bölmesinde Mevcut ürün lisansı atamalarını değiştir > İleri'yi seçin.",
        "{new} ve {user} kullanıcısında kalacak diğer her ürün için iki durumlu düğmeyi Açık konumuna getirin; "
        "kullanıcının almaması gereken hizmetleri Kapalı konumuna getirin.",
        "Var olan ürünleri değiştir bölmesinin altında Değiştir > Kapat > Kapat'ı seçin.",
    ),
    "steps.replace.caution": (
        "Değiştirme işlemi {user} kullanıcısının önceki tüm lisanslarını ({old} dahil) kaldırır: yalnızca Açık "
        "konumuna getirdikleriniz kalır."
    ),
    "steps.assign.worldwide": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısını seçin ve Lisanslar ve Uygulamalar sekmesini açın.",
        "Konum seçin altında bir şey seçili değilse kullanıcının çalıştığı ülkeyi seçin.",
        "Lisanslar altında {sku} kutusunu işaretleyin ve Değişiklikleri kaydet'i seçin.",
    ),
    "steps.assign.legacy": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısını seçin; sağda Ürün lisansları satırında Düzenle'yi seçin.",
        "{sku} için iki durumlu düğmeyi Açık konumuna getirin ve Kaydet > Kapat > Kapat'ı seçin.",
    ),
    "steps.group.explain": (
        "{sku} ürünü {user} kullanıcısına {group} grubu üzerinden geliyor; bir grubun atadığı lisans tek bir "
        "kullanıcıdan kaldırılamaz."
    ),
    "steps.group.membership": (
        "Yalnızca {user} kullanıcısı için: Microsoft Entra yönetim merkezinde Gruplar > Tüm gruplar > {group} > "
        "Üyeler'e gidin, {user} kullanıcısını seçin ve Kaldır'ı seçin."
    ),
    "steps.group.license": (
        "{group} grubunun hiçbir üyesinde {sku} olmaması gerekiyorsa: Gruplar > Tüm gruplar > {group} > "
        "Lisanslar'a gidin, {sku} ürününü seçin ve Lisansı kaldır'ı seçin."
    ),
    "steps.group.add": (
        "Ürün bir gruptan gelmeliyse: Microsoft Entra yönetim merkezinde Gruplar > Tüm gruplar'a gidin, {sku} "
        "ürününü atayan grubu açın, Üyeler > Üye ekle'yi seçin ve {user} kullanıcısını ekleyin."
    ),
    "steps.group.wait": (
        "Doğrudan atamayı kaldırmadan önce {user} kullanıcısının Lisanslar sayfası {sku} ürününü gruptan devralınmış "
        "olarak gösterene kadar bekleyin."
    ),
    "steps.group.replace": (
        "{user} kullanıcısını {new} ürününü atayan bir gruba ekleyin (Gruplar > Tüm gruplar > grup > Üyeler > Üye "
        "ekle), ardından kullanıcıyı {group} grubundan çıkarın."
    ),
    "steps.data.keep": (
        "Lisansı kaldırmadan önce kuruluşun hâlâ ihtiyaç duyduğu şeyleri saklayın; örneğin posta kutusunu paylaşılan "
        "posta kutusuna dönüştürün veya saklama altına alın ve OneDrive dosyalarını kopyalayın; lisansı olmayan bir "
        "posta kutusu bir ek süreden sonra silinir."
    ),
    "steps.disabled.confirm": (
        "{user} kullanıcısının engelli kalması gerektiğini doğrulayın; örneğin kişi kuruluştan ayrılmış olabilir."
    ),
    "steps.inactive.confirm": (
        "{user} kullanıcısının yöneticisiyle hesabın artık gerekmediğini doğrulayın; gerekiyorsa bunun yerine bir "
        "muafiyet kaydedin."
    ),
    "steps.guest.confirm": (
        "Konuk erişiminin çoğu kiracınızın lisansını gerektirmez: {user} kullanıcısının gerçekten {sku} ürününe "
        "ihtiyacı olup olmadığını doğrulayın."
    ),
    "summary.loss.data": (
        "{sku} ürününü {user} kullanıcısından kaldırmadan önce verileri saklayın: kaldırma işlemi {plans} "
        "planlarını kapatır."
    ),
    "steps.loss.data": (
        "{user} için {plans} planlarını açan yalnızca {sku} ürünüdür; {user} kullanıcısında kalan başka "
        "hiçbir ürün bunu yapmaz. Kaldırılırsa bunlara bağlı posta kutusu, arşiv veya OneDrive dosyaları da "
        "gider. Bu yüzden önce verileri saklayın (örneğin posta kutusunu paylaşılan posta kutusuna dönüştürün"
        " ya da postaları ve dosyaları taşıyın) veya {user} kullanıcısına bunları içeren bir ürün verin; "
        "{sku} ürününü ancak ondan sonra kaldırın."
    ),
    "steps.combination.keep": (
        "{keep}, {user} için {sku} ürününün açtığı her şeyi zaten açıyor: {keep} ürününü tutun ve {sku} "
        "ürününü kaldırın."
    ),
    "steps.combination.choose": (
        "{combination} ürünlerinden hangisinin {user} kullanıcısında kalacağına karar verin; biri diğerini zaten "
        "içeriyorsa onu tutun."
    ),
    "steps.seats.reassign": "Kullanılmayan {sku} lisanslarını lisans bekleyen kullanıcılara verin.",
    "steps.seats.remove": (
        "Yeniden atanmayacaklarsa: Microsoft 365 yönetim merkezinde Faturalama > Ürünleriniz sayfasına gidin.",
        "{sku} ürününü içeren aboneliği seçin ve Lisansları kaldır'ı seçin.",
        "Yeni toplam lisans sayısını ({target}) girin ve Kaydet'i seçin.",
    ),
    "steps.seats.free": (
        "Artık ihtiyacı olmayan hesaplardaki {sku} lisanslarını boşaltın (engellenmiş, etkin olmayan ve konuk "
        "kullanıcılarla ilgili bulgulara bakın)."
    ),
    "steps.seats.buy": (
        "Aksi takdirde daha fazla satın alın: Microsoft 365 yönetim merkezinde Faturalama > Ürünleriniz sayfasına "
        "gidin.",
        "{sku} ürününü içeren aboneliği seçin ve Lisans satın al'ı seçin.",
        "İhtiyacınız olan toplam lisans sayısını ({target}) girin ve satın alma işlemini tamamlayın.",
    ),
    "steps.not_approved.review": (
        "{sku} ürününün onaylanıp onaylanmayacağına ilke sahibiyle birlikte karar verin; onaylanırsa ilkenin onaylı "
        "ürünlerine ekleyin."
    ),
    "steps.not_approved.cancel": (
        "Artık kimsede yoksa aboneliği iptal edin (Faturalama > Ürünleriniz > {sku} ürününü seçin > Aboneliği iptal "
        "et) veya lisanslarını kaldırın."
    ),
    "steps.move.worldwide": (
        "{sku} ürününe sahip kullanıcıları başka bir ürüne taşıyın: Kullanıcılar > Etkin kullanıcılar ({url}) > "
        "kullanıcıları seçin > Diğer seçenekler (...) > Ürün lisanslarını yönet > Mevcut ürün lisansı atamalarını "
        "değiştir > İleri > yeni ürünü Açık konumuna getirin > Değiştir > Kapat."
    ),
    "steps.move.legacy": (
        "{sku} ürününe sahip kullanıcıları başka bir ürüne taşıyın: Kullanıcılar > Etkin kullanıcılar ({url}) > "
        "kullanıcıları seçin > Toplu eylemler > Ürün lisanslarını düzenle > Mevcut ürün lisansı atamalarını "
        "değiştir > İleri > yeni ürünü Açık konumuna getirin > Değiştir > Kapat > Kapat."
    ),
    "steps.error.CountViolation": (
        "Artık ihtiyacı olmayan kullanıcılardaki {sku} lisanslarını boşaltın veya daha fazla satın alın: "
        "Faturalama > Ürünleriniz > aboneliği seçin > Lisans satın al."
    ),
    "steps.error.MutuallyExclusiveViolation": (
        "Çakışan ürünlerden hangisinin {user} kullanıcısında kalacağına karar verin ve diğerini kaldırın ya da "
        "çakışan hizmeti kapatın."
    ),
    "steps.error.DependencyViolation": (
        "Hizmet planı {sku} içindeki bir hizmete ihtiyaç duyan ürünü bulun (kullanıcının Lisanslar sayfası "
        "bunu belirtir), önce onu kaldırın veya o hizmeti kapatın, ancak ondan sonra {sku} ürününü kaldırın; "
        "grup tabanlı lisanslamada her iki grubu birlikte değiştirin."
    ),
    "steps.error.UniquenessViolation": (
        "Aynı proxy adresini kullanan diğer nesneyi bulun (örneğin Exchange yönetim merkezinde) ve yinelenen "
        "adresi değiştirin veya kaldırın."
    ),
    "steps.error.other": (
        "Microsoft Entra yönetim merkezinde Kullanıcılar > Tüm kullanıcılar > {user} > Lisanslar'a gidin ve {sku} "
        "için gösterilen hatayı okuyun."
    ),
    "steps.error.group": (
        "Lisans {group} grubundan geliyor; bu nedenle diğer üyelerde de aynı hata olabilir: Microsoft Entra yönetim "
        "merkezinde grubun Lisanslar sayfasına bakın."
    ),
    "steps.error.ProhibitedInUsageLocationViolation": (
        "{user} kullanıcısının kullanım konumunu kontrol edin. Kullanıcının çalıştığı yer değilse doğrusunu "
        "aşağıdaki gibi ayarlayın. Doğruysa {sku} orada sunulmuyor: konumu değiştirmek yerine {user} kullanıcısını "
        "atamadan (grup lisansında: gruptan) çıkarın."
    ),
    "steps.group_errors.open": (
        "Microsoft Entra yönetim merkezinde Gruplar > Tüm gruplar > {group} > Lisanslar'a gidin: oradaki bildirim "
        "hata durumundaki üyeleri listeler; hatasını görmek için bir üyeyi seçin."
    ),
    "steps.group_errors.cause": (
        "{error}, etkilenen üyeler: {count}. Her üyenin lisans atama hatası bulgusu bu nedeni ve düzeltmesini "
        "açıklar."
    ),
    "steps.group_errors.fix": (
        "Her üye için nedeni hatanın belirttiği gibi düzeltin: lisans boşaltın veya satın alın, çakışan ürünler ya "
        "da hizmetler arasında seçim yapın, kullanım konumlarını veya yinelenen proxy adreslerini düzeltin."
    ),
    "steps.group_errors.reprocess": (
        "Ardından {group} grubunun Lisanslar sayfasında Yeniden işle'yi seçin; böylece Microsoft Entra ID grubun "
        "lisanslarını üyelere yeniden uygular."
    ),
    "steps.reprocess": (
        "Ardından yeniden işleyin: Microsoft Entra yönetim merkezinde Kullanıcılar > Tüm kullanıcılar > {user} > "
        "Lisanslar'a gidin ve Yeniden işle'yi seçin."
    ),
    "steps.usage.worldwide": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısını seçin ve Lisanslar ve Uygulamalar sekmesini açın.",
        "Konum seçin altında kullanıcının çalıştığı ülkeyi seçin ve Değişiklikleri kaydet'i seçin.",
    ),
    "steps.usage.legacy": (
        "Microsoft 365 yönetim merkezinde Kullanıcılar > Etkin kullanıcılar ({url}) sayfasına gidin.",
        "{user} kullanıcısını seçin; sağda Ürün lisansları satırında Düzenle'yi seçin.",
        "Konum altında kullanıcının çalıştığı ülkeyi seçin ve Kaydet > Kapat > Kapat'ı seçin.",
    ),
    "steps.usage.sync": (
        "Hesaplar şirket içi bir dizinden eşitleniyorsa kullanım konumunu orada da ayarlayın; böylece yeni "
        "hesaplar baştan bir konuma sahip olur."
    ),
    "steps.sub.status": (
        "Warning, aboneliğin süresinin dolduğu ve ek sürede olduğu anlamına gelir (kullanıcıların erişimi devam "
        "eder); Suspended, devre dışı bırakıldığı anlamına gelir (kullanıcılar erişimi kaybetmiştir, yöneticiler "
        "verileri hâlâ yedekleyebilir)."
    ),
    "steps.sub.reactivate": (
        "Tutmak için: Microsoft 365 yönetim merkezinde Faturalama > Ürünleriniz sayfasına gidin, {sku} ürününü "
        "seçin ve yeniden etkinleştirin ya da yenileyin."
    ),
    "steps.sub.trial": (
        "Tutmak için: Microsoft 365 yönetim merkezinde Faturalama > Ürünleriniz sayfasına gidin, {sku} deneme "
        "sürümünü seçin ve {date} tarihinden önce ücretli aboneliği satın alın."
    ),
    "steps.sub.paid": (
        "Tutmak için: Microsoft 365 yönetim merkezinde Faturalama > Ürünleriniz sayfasına gidin, {sku} ürününü "
        "seçin ve Yinelenen faturalama'yı açın ya da {date} tarihinden önce yenileyin."
    ),
    "steps.sub.lapse": (
        "Sona ermesine izin vermek için: hiçbir kullanıcı ona bağlı kalmadığında Yinelenen faturalama'yı kapatın "
        "veya iptal edin; önce hâlâ ihtiyaç duyduğunuz verileri yedekleyin."
    ),
    "steps.waiver.ask": (
        "{owner} kişisine {waiver_subject} için {waiver_rule} istisnasının hâlâ gerekli olup olmadığını sorun."
    ),
    "steps.waiver.renew": (
        "Gerekliyse ilke dosyasında muafiyete yeni bir bitiş tarihi ve güncel bir gerekçe verin ve değişikliği "
        "gözden geçirtin."
    ),
    "steps.waiver.fix": (
        "Gerekli değilse muafiyeti silin ve bulguyu {waiver_rule} kuralının yönergelerinde anlatıldığı gibi düzeltin."
    ),
    "steps.transfer.fact": (
        "Lisanslar bir kiracıdan diğerine aktarılamaz; her kiracının kendi lisanslarına ihtiyacı vardır."
    ),
    "steps.transfer.decide": (
        "{identity} kimliğinin {sku} ürününü hangi kiracıda tutacağına karar verin ve diğer kiracılardaki hesaptan "
        "lisansı kaldırın (Kullanıcılar > Etkin kullanıcılar > kullanıcı > Lisanslar ve Uygulamalar)."
    ),
    "steps.transfer.vlsc": (
        "Toplu lisanslama sözleşmesiyle satın alıyorsanız lisanslar için Toplu Lisans Hizmeti Merkezi'ne (Volume "
        "Licensing Service Center) başvurun."
    ),
    "steps.transfer.cancel": (
        "Ayrıldığınız kiracı artık kullanılmayacaksa oradaki aboneliği iptal edin (Faturalama > Ürünleriniz) ve "
        "lisansları onlara ihtiyaç duyan kiracıda satın alın."
    ),
    "steps.transfer.remove": (
        "O kiracı kullanılmaya devam edecekse, maliyeti düşürmek için artık gerekmeyen lisansları orada kaldırın "
        "(Faturalama > Ürünleriniz > Lisansları kaldır) ve aynı sayıda lisansı diğer kiracıda satın alın."
    ),
    "steps.transfer.migrate": (
        "Kişiler diğer kiracıya taşınıyorsa posta kutularını (kiracılar arası posta kutusu geçişi) ve SharePoint "
        "verilerini (bulut içeriği geçişi) de geçirin."
    ),
    "role.assign": "Genel yönetici, Lisans yöneticisi veya Kullanıcı yöneticisi",
    "role.group": (
        "Genel yönetici, Lisans yöneticisi veya Kullanıcı yöneticisi; Gruplar yöneticisi veya grubun sahibi de "
        "üyeleri değiştirebilir"
    ),
    "role.billing_assign": (
        "Satın alma, kaldırma ve yenileme için Faturalama yöneticisi veya Genel yönetici; lisans atamak için Genel "
        "yönetici, Lisans yöneticisi veya Kullanıcı yöneticisi"
    ),
    "role.transfer": (
        "Her kiracıda Faturalama yöneticisi veya Genel yönetici; veri geçişi için Exchange yöneticisi ve "
        "SharePoint yöneticisi"
    ),
    "role.waiver": "İlke dosyasının bakımını yapan kişi, muafiyetin sahibiyle birlikte",
    "next.freed": (
        "Boşalan lisansları ihtiyacı olan kullanıcılara yeniden atayın veya ihtiyacınızdan fazla lisans için ödeme "
        "yapmamak için abonelikten kaldırın (Faturalama > Ürünleriniz > Lisansları kaldır)."
    ),
    "next.partner": (
        "Lisanslar bir iş ortağı veya toplu lisanslama sözleşmesiyle satın alındıysa sayıyı iş ortağı ya da Toplu "
        "Lisans Hizmeti Merkezi sizin için değiştirir."
    ),
    "next.transfer_cost": (
        "Ardından ilgili her kiracıdaki lisans sayılarını denetleyin; hiçbiri kullanmadığı lisanslar için ödeme "
        "yapmasın."
    ),
    "next.rerun": "Bulgunun çözüldüğünü doğrulamak için denetimi yeniden çalıştırın.",
    "graph.remove": "Doğrudan atanmış {sku} ürününü {user} kullanıcısından kaldırır.",
    "graph.remove_or_replace": (
        "{sku} ürününü {user} kullanıcısından kaldırır; aynı çağrıda değiştirmek için izin verilen ürünün skuId "
        "değerini addLicenses içine ekleyin."
    ),
    "graph.replace": (
        "{user} kullanıcısı için tek bir çağrı {new} ürününü ekler ve {old} ürününü aynı anda kaldırır; böylece "
        "kullanıcı hiçbir zaman lisanssız kalmaz."
    ),
    "graph.add": "{sku} ürününü {user} kullanıcısına atar; kullanıcının önce bir kullanım konumu olmalıdır.",
    "graph.membership": (
        "{user} kullanıcısını {group} grubundan çıkarır; grubun atadığı lisanslar artık kullanıcıya uygulanmaz."
    ),
    "graph.membership_many": (
        "{user} kullanıcısını {sku} ürününü atayan gruplardan birinden ({group}) çıkarır; her biri için "
        "tekrarlayın, çünkü gruplardan biri atadığı sürece lisans kalır."
    ),
    "graph.membership_lookup": (
        "{user} kullanıcısını {group} grubundan çıkarır; önce grubun kimliğini bulun ve yola ekleyin."
    ),
    "graph.remove_after_group": (
        "Grubun lisansı {user} kullanıcısı için etkin olduğunda {sku} ürününün doğrudan atamasını kaldırır."
    ),
    "graph.reprocess": (
        "Neden düzeltildikten sonra Microsoft Entra ID'nin {user} kullanıcısının lisanslarını yeniden uygulamasını "
        "sağlar."
    ),
    "graph.group_errors": "{group} grubunun lisansları uygulanamayan üyelerini listeler.",
    "graph.usage": (
        "{user} kullanıcısının kullanım konumunu ayarlar; XX yerine iki harfli ülke kodunu (ISO 3166-1) yazın, "
        "örneğin TR."
    ),
    "graph.reassign": (
        "Kullanılmayan bir {sku} lisansını ihtiyacı olan bir kullanıcıya atar (o kullanıcının kimliğini yola "
        "yazın). Graph satın alınan lisans sayısını değiştiremez; bunu yönetim merkezinde yapın."
    ),
    "graph.holders": "{sku} ürününe sahip kullanıcıları listeler.",
    "graph.combination": "{sku} ürününü {user} kullanıcısından kaldırır; {keep} kalır ve onu karşılar.",
    "graph.cross_remove": (
        "Lisansın gerekmediği kiracıda çalıştırın: orada {sku} ürününü {user} kullanıcısından kaldırır."
    ),
    "link.move_users": "Kullanıcıları farklı bir aboneliğe taşıma",
    "link.assign_licenses": "Kullanıcılara lisans atama",
    "link.unassign_licenses": "Kullanıcılardan lisans atamalarını kaldırma",
    "link.buy_licenses": "Lisansları satın alma veya kaldırma",
    "link.admin_roles": "Microsoft 365 yönetim merkezindeki yönetici rolleri hakkında",
    "link.cancel_subscription": "Aboneliğinizi iptal etme",
    "link.renew_subscription": "Aboneliğinizi yenileme",
    "link.subscription_ends": "Aboneliğim sona erdiğinde verilerime ve erişimime ne olur?",
    "link.group_licensing": "Grup üyeliğiyle kullanıcılara lisans atama",
    "link.group_problems": "Bir grubun lisans atama sorunlarını belirleme ve çözme",
    "link.resolve_find": "Grup lisans sorunlarını çözme: lisans atama hatalarını bulma",
    "link.resolve_count": "Grup lisans sorunlarını çözme: yeterli lisans yok",
    "link.resolve_conflict": "Grup lisans sorunlarını çözme: çakışan hizmet planları",
    "link.resolve_dependency": "Grup lisans sorunlarını çözme: diğer ürünler bu lisansa bağlı",
    "link.resolve_location": "Grup lisans sorunlarını çözme: kullanım konumuna izin verilmiyor",
    "link.resolve_proxy": "Grup lisans sorunlarını çözme: yinelenen proxy adresleri",
    "link.resolve_reprocess": "Grup lisans sorunlarını çözme: grup lisansını yeniden işlemeye zorlama",
    "link.vlsc": "Toplu Lisans Hizmeti Merkezi",
    "link.mailbox_migration": "Kiracılar arası posta kutusu geçişi",
    "link.sharepoint_migration": "SharePoint verilerini geçirme",
}
