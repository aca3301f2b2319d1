"""Recurring subjects of the news set's second part, 2024-2025 (generated text: the events,
firms and people are invented; the places are real). Part A: the Tours tram works, the Logivert
warehouse fire trial, the Lyon refuse collectors' strikes, AS Valmont's season.

Same shape as `stories.STORIES`: (key, date, source, lang, title, body).
"""

from __future__ import annotations

RECURRING_A: list[tuple[str, str, str, str, str, str]] = [
    # --- Tours: the works of the second tram line, month after month ------------------------
    ("tram-2024-01", "2024-01-15T11:30:00+01:00", "La Nouvelle République", "fr",
     "Tours : les travaux de la deuxième ligne de tramway commencent lundi",
     """Les premiers engins sont entrés en action lundi 15 janvier sur l'avenue de Grammont : le chantier de la deuxième ligne du tramway de Tours est officiellement lancé. La ligne, longue de 11,8 kilomètres, reliera La Riche à Chambray-lès-Tours en desservant 23 stations.

Cette première phase consiste à déplacer les réseaux d'eau, de gaz et d'électricité sous la chaussée. Elle durera neuf mois. La circulation automobile est réduite à une voie dans chaque sens entre la place Jean-Jaurès et le pont de l'Alliance.

Le coût total du projet est estimé à 480 millions d'euros, financé par la métropole, l'État et un emprunt auprès de la Banque européenne d'investissement. La mise en service est annoncée pour septembre 2027.

Les commerçants de l'avenue ont obtenu la création d'une commission d'indemnisation, qui examinera les premiers dossiers en mars."""),
    ("tram-2024-03", "2024-03-12T18:00:00+01:00", "La Nouvelle République", "fr",
     "Tram de Tours : la commission d'indemnisation verse ses premières aides aux commerçants",
     """La commission d'indemnisation des commerçants touchés par les travaux de la deuxième ligne du tramway a accordé mardi ses premières aides : 14 commerces de l'avenue de Grammont recevront en tout 212 000 euros.

Les dossiers retenus font état d'une baisse du chiffre d'affaires de 20 à 45 % depuis le début du chantier en janvier. Onze autres demandes ont été jugées incomplètes. « C'est un premier pas, mais les montants restent loin de nos pertes », estime la présidente de l'association des commerçants de Grammont.

La métropole a doté la commission d'une enveloppe de 3 millions d'euros pour toute la durée des travaux. Elle se réunira chaque mois.

Les commerçants doivent fournir leurs bilans des trois dernières années et une attestation de leur expert-comptable. Le délai moyen d'instruction d'un dossier est de six semaines, selon la métropole, qui promet de le réduire à un mois."""),
    ("tram-2024-06", "2024-06-20T09:45:00+02:00", "AFP", "fr",
     "Tours : le chantier du tramway coupe le pont Wilson à la circulation pour l'été",
     """Le pont Wilson, qui franchit la Loire au cœur de Tours, sera fermé aux voitures du 1er juillet au 31 août pour permettre la pose des rails de la deuxième ligne de tramway. Seuls les piétons, les vélos et les secours pourront l'emprunter.

La métropole prévoit un report de 18 000 véhicules par jour vers les ponts Napoléon et Mirabeau, où la durée des trajets pourrait doubler aux heures de pointe. Quatre lignes de bus sont déviées.

Selon le maître d'ouvrage, le chantier a pris trois semaines d'avance depuis janvier grâce à un hiver peu pluvieux. La déviation des réseaux est achevée à 70 %.

Des navettes gratuites relieront la gare au quartier des Prébendes toutes les dix minutes pendant la fermeture. La métropole recommande aux automobilistes de privilégier le vélo : 400 arceaux supplémentaires ont été installés près des ponts."""),
    ("tram-2024-09", "2024-09-03T07:50:00+02:00", "La Nouvelle République", "fr",
     "Tramway : le pont Wilson rouvert, les premiers rails posés à Tours",
     """Le pont Wilson a rouvert aux voitures lundi 2 septembre, au lendemain de la fin des travaux d'été. En deux mois, les ouvriers ont posé 1,4 kilomètre de rails de la deuxième ligne de tramway entre le pont et la place Anatole-France.

Les embouteillages redoutés sur les autres ponts ont été moins importants que prévu, le trafic ayant baissé de 12 % pendant les vacances. La métropole annonce que 38 % du génie civil de la ligne est désormais réalisé.

Le prochain point noir sera l'avenue de Grammont, où les rails seront posés entre novembre et février.

Les riverains de l'avenue de Grammont redoutent déjà cette nouvelle phase. « Nous avons tenu neuf mois, nous ne savons pas si nous tiendrons l'hiver », confie un fleuriste, qui a perdu un tiers de sa clientèle depuis le début des travaux."""),
    ("tram-2024-11", "2024-11-19T17:20:00+01:00", "France Bleu", "fr",
     "Tram de Tours : un surcoût de 35 millions d'euros annoncé par la métropole",
     """La facture de la deuxième ligne de tramway de Tours grimpe : la métropole a annoncé mardi un surcoût de 35 millions d'euros, portant le coût total du projet à 515 millions d'euros.

Le vice-président chargé des mobilités invoque la hausse des prix de l'acier et du béton, ainsi que la découverte de vestiges gallo-romains rue Nationale, qui imposent des fouilles de quatre mois. L'opposition réclame un audit indépendant.

La date de mise en service, septembre 2027, est maintenue, assure la métropole. La pose des rails a commencé sur l'avenue de Grammont.

Le financement du surcoût sera assuré par un nouvel emprunt de 20 millions d'euros et par une hausse de la participation de la région. Les élus écologistes demandent que la part payée par les usagers, à travers le prix du ticket, ne soit pas augmentée."""),
    ("tram-2025-02", "2025-02-06T12:10:00+01:00", "La Nouvelle République", "fr",
     "Tours : les fouilles archéologiques du tram livrent une nécropole gallo-romaine",
     """Les archéologues de l'Inrap ont mis au jour 62 sépultures gallo-romaines rue Nationale, sur le tracé de la deuxième ligne de tramway. Ces tombes du IIIe siècle, bien conservées, contenaient des céramiques et une trentaine de monnaies.

Les fouilles, commencées en décembre, seront prolongées de six semaines, jusqu'à fin mars. La rue Nationale restera fermée à la circulation jusqu'à cette date.

La métropole assure que ce retard sera rattrapé sur d'autres sections du chantier, et que le calendrier de mise en service en septembre 2027 n'est pas remis en cause.

Les objets découverts seront étudiés au laboratoire de l'Inrap pendant deux ans, avant d'être confiés au musée des Beaux-Arts de Tours. Une exposition des premières trouvailles est envisagée dans le hall de l'hôtel de ville, a indiqué la maire adjointe chargée du patrimoine."""),
    ("tram-2025-05", "2025-05-14T10:00:00+02:00", "AFP", "fr",
     "Tram de Tours : la première rame de la ligne 2 présentée au public",
     """La première rame de la deuxième ligne du tramway de Tours a été présentée mercredi 14 mai sur le parvis de la gare. Longue de 43 mètres, elle peut transporter 290 voyageurs et reprend le design noir et blanc de la ligne 1.

La métropole a commandé 21 rames à un constructeur basque, pour 82 millions d'euros. Les essais sur voie commenceront au printemps 2026 sur la section La Riche - gare.

Le chantier est réalisé à 64 %, selon la métropole. Les fouilles de la rue Nationale sont terminées depuis avril.

Les habitants peuvent visiter la rame jusqu'à dimanche, de 10 heures à 18 heures. Les sièges, plus larges que ceux de la ligne 1, ont été choisis après une consultation en ligne à laquelle 4 200 personnes ont participé."""),
    ("tram-2025-09", "2025-09-09T08:30:00+02:00", "La Nouvelle République", "fr",
     "Tram de Tours : la mise en service de la ligne 2 repoussée à début 2028",
     """La deuxième ligne de tramway de Tours n'entrera pas en service en septembre 2027 comme prévu, mais au début de l'année 2028, a reconnu mardi la métropole. En cause : un retard de cinq mois sur le viaduc qui doit franchir le Cher.

Le constructeur du viaduc a connu des difficultés d'approvisionnement en poutres métalliques. La métropole réclame 2,1 millions d'euros de pénalités.

Le coût total, déjà revu à 515 millions d'euros en novembre 2024, ne devrait pas augmenter, selon le vice-président chargé des mobilités. Les commerçants ont obtenu la prolongation de la commission d'indemnisation jusqu'en 2028.

Ce nouveau report ne surprend pas les usagers des bus, dont les trajets sont allongés par les déviations depuis le début du chantier. La ligne 1 du tramway, mise en service en 2013, transporte 60 000 voyageurs par jour."""),
    ("tram-2025-12", "2025-12-17T16:40:00+01:00", "France Bleu", "fr",
     "Tours : le viaduc du tramway sur le Cher posé avant Noël",
     """Le tablier du viaduc de la deuxième ligne de tramway a été posé mercredi 17 décembre au-dessus du Cher, au terme d'une opération de poussage de quatorze heures. L'ouvrage, long de 260 mètres, pèse 3 800 tonnes.

« C'est l'étape la plus délicate du chantier qui s'achève », s'est félicité le président de la métropole. Les rails seront posés sur le viaduc au printemps.

La ligne doit toujours entrer en service au début de 2028. Les essais de la première rame commenceront en avril sur la section La Riche - gare.

Plusieurs centaines de curieux ont suivi l'opération depuis les berges, malgré le froid. Le pont routier voisin a été fermé pendant toute la durée du poussage, et deux lignes de bus ont été déviées jusqu'à minuit."""),
    ("tram-en-2025", "2025-06-03T15:00:00+02:00", "Reuters", "en",
     "French city of Tours bets on a second tram line despite cost overruns",
     """The French city of Tours is pressing ahead with a second tram line whose cost has risen to 515 million euros, officials said on Tuesday, as works that began in January 2024 pass the halfway mark.

The 11.8-kilometre line will link La Riche to Chambray-lès-Tours through 23 stations. Archaeological digs that uncovered a Roman burial ground on rue Nationale delayed part of the works by six weeks earlier this year.

The metropolitan authority has ordered 21 trams for 82 million euros and still targets an opening in September 2027. Local shopkeepers have received compensation for lost sales during the works.

Trams on the first line, opened in 2013, carry about 60,000 passengers a day. The second line is expected to carry 45,000 a day once it opens, according to the metropolitan authority."""),
    # --- the Logivert warehouse fire trial, Amiens ---------------------------------------------
    ("proces-2025-03a", "2025-03-03T19:15:00+01:00", "AFP", "fr",
     "Incendie de l'entrepôt Logivert : le procès s'ouvre à Amiens, quatre ans après",
     """Le procès de l'incendie de l'entrepôt Logivert, qui avait coûté la vie à trois salariés en février 2021 à Boves (Somme), s'est ouvert lundi 3 mars devant le tribunal correctionnel d'Amiens. La société Logivert, son ancien directeur de site et un sous-traitant chargé de la maintenance sont jugés pour homicides involontaires.

L'enquête a établi que le feu était parti d'un chariot élévateur en charge, dans une zone où les détecteurs de fumée étaient hors service depuis six semaines. Les portes coupe-feu avaient été bloquées ouvertes.

Une centaine de parties civiles sont représentées. Le procès doit durer trois semaines.

À l'ouverture de l'audience, la présidente du tribunal a lu les noms des trois victimes, âgées de 24, 37 et 52 ans. Les familles, assises au premier rang, portaient un tee-shirt à leur effigie. L'avocat de la société a assuré que Logivert « ne se dérobera pas » à ses responsabilités."""),
    ("proces-2025-03b", "2025-03-11T18:30:00+01:00", "Le Courrier picard", "fr",
     "Procès Logivert : les salariés racontent la nuit de l'incendie",
     """Au sixième jour du procès de l'incendie de l'entrepôt Logivert, le tribunal correctionnel d'Amiens a entendu mardi huit anciens salariés présents la nuit du drame. Tous ont décrit une fumée noire envahissant l'allée centrale « en moins de deux minutes ».

Un cariste a expliqué avoir signalé à trois reprises, par courriel, la panne des détecteurs de fumée. L'ancien directeur de site a reconnu avoir reçu ces messages mais a affirmé qu'une réparation était « programmée ».

Les experts judiciaires doivent être entendus jeudi. Le procès se poursuit jusqu'au 21 mars.

Une ancienne cheffe d'équipe a raconté avoir tenté d'ouvrir une issue de secours bloquée par des palettes. Elle a été hospitalisée quatre jours pour une intoxication aux fumées. Plusieurs témoins ont décrit une pression constante pour tenir les cadences avant les fêtes."""),
    ("proces-2025-03c", "2025-03-19T20:00:00+01:00", "AFP", "fr",
     "Procès Logivert : deux ans de prison avec sursis requis contre l'ancien directeur",
     """Le parquet a requis mercredi deux ans d'emprisonnement avec sursis contre l'ancien directeur de l'entrepôt Logivert de Boves, jugé pour homicides involontaires après l'incendie qui avait tué trois salariés en 2021.

Contre la société Logivert, le procureur a demandé l'amende maximale de 375 000 euros, et 150 000 euros contre le sous-traitant chargé de la maintenance. « Ce drame n'est pas une fatalité, c'est une succession de négligences », a-t-il déclaré.

Les avocats de la défense plaideront jeudi et vendredi. Le jugement a été mis en délibéré au 26 mai.

Dans son réquisitoire, le procureur a longuement évoqué les trois courriels envoyés par un cariste pour signaler la panne des détecteurs. « Ils n'ont reçu aucune réponse », a-t-il insisté. Il a également requis une interdiction d'exercer des fonctions de direction pendant cinq ans."""),
    ("proces-2025-05", "2025-05-26T17:45:00+02:00", "AFP", "fr",
     "Incendie de l'entrepôt Logivert : l'ancien directeur condamné à 18 mois avec sursis",
     """Le tribunal correctionnel d'Amiens a condamné lundi 26 mai l'ancien directeur de l'entrepôt Logivert à 18 mois d'emprisonnement avec sursis pour homicides involontaires, après l'incendie qui avait tué trois salariés à Boves en février 2021.

La société Logivert est condamnée à 300 000 euros d'amende et le sous-traitant chargé de la maintenance à 100 000 euros. Le tribunal a retenu que la panne des détecteurs de fumée était connue depuis six semaines.

Les familles des victimes se disent « soulagées mais pas apaisées ». La défense dispose de dix jours pour faire appel.

Le tribunal a aussi condamné solidairement les trois prévenus à verser 1,2 million d'euros de dommages et intérêts aux parties civiles. La présidente a souligné que « la sécurité des salariés ne peut jamais être sacrifiée à la productivité »."""),
    ("proces-2025-06", "2025-06-04T12:20:00+02:00", "Le Courrier picard", "fr",
     "Logivert : la société fait appel de sa condamnation",
     """La société Logivert a fait appel mercredi de sa condamnation à 300 000 euros d'amende pour l'incendie mortel de son entrepôt de Boves, a-t-on appris auprès de ses avocats. L'ancien directeur de site, condamné à 18 mois avec sursis, n'a pas fait appel.

Le parquet a formé un appel incident. Le procès en appel se tiendra devant la cour d'appel d'Amiens, probablement au printemps 2026.

« C'est une quatrième année d'attente pour les familles », a regretté l'avocate de l'association des victimes.

L'association des victimes, créée après l'incendie, compte 48 membres. Elle demande que les salles d'audience de la cour d'appel soient équipées pour accueillir toutes les parties civiles, ce qui n'avait pas été le cas en première instance. L'ancien directeur, qui a quitté le groupe, n'a pas souhaité s'exprimer."""),
    ("proces-en-2025", "2025-05-26T19:00:00+02:00", "Reuters", "en",
     "French court convicts logistics firm over deadly 2021 warehouse fire",
     """A French court on Monday fined logistics company Logivert 300,000 euros over a 2021 warehouse fire that killed three workers near Amiens, and gave the site's former manager an 18-month suspended prison sentence.

The court in Amiens found that smoke detectors at the warehouse in Boves had been out of order for six weeks before the blaze, which started at a charging forklift truck. A maintenance subcontractor was fined 100,000 euros.

The three-week trial opened on March 3. The defendants have ten days to appeal.

The court also ordered the defendants to pay 1.2 million euros in damages to the victims' families. Prosecutors had sought a two-year suspended sentence for the former manager. The families of the victims said they were relieved by the verdict but not at peace."""),
    # --- Lyon: the refuse collectors' strikes ----------------------------------------------------
    ("eboueurs-2024-03", "2024-03-05T08:15:00+01:00", "Le Progrès", "fr",
     "Lyon : les éboueurs en grève, les poubelles s'entassent dans six arrondissements",
     """Les agents de collecte des déchets de la Métropole de Lyon sont en grève depuis lundi 4 mars, à l'appel de la CGT et de FO. Les ordures ne sont plus ramassées dans six des neuf arrondissements de Lyon et à Villeurbanne.

Les grévistes réclament une prime de pénibilité de 150 euros par mois et le départ à la retraite à 57 ans. Selon les syndicats, 70 % des 1 100 agents de collecte ont cessé le travail.

La Métropole a appelé les habitants à garder leurs déchets chez eux « dans la mesure du possible » et annonce une première réunion de négociation mercredi.

Les déchetteries restent ouvertes, mais les files d'attente s'allongent. La Métropole a installé des bennes provisoires sur une dizaine de places, notamment place Bellecour et place des Terreaux, pour éviter les dépôts sauvages."""),
    ("eboueurs-2024-03b", "2024-03-14T19:40:00+01:00", "AFP", "fr",
     "Grève des éboueurs à Lyon : 4 000 tonnes de déchets dans les rues, la Métropole réquisitionne",
     """Au onzième jour de la grève des éboueurs, 4 000 tonnes de déchets s'accumulent dans les rues de Lyon et de Villeurbanne. La préfète du Rhône a signé jeudi un arrêté de réquisition de 120 agents pour collecter les déchets autour des écoles et des hôpitaux.

Les négociations sont au point mort : la Métropole propose une prime de 80 euros par mois, les syndicats maintiennent leur demande de 150 euros. Des feux de poubelles ont été signalés dans la nuit dans le 7e arrondissement.

Les restaurateurs du Vieux-Lyon dénoncent une image « désastreuse » en pleine saison touristique.

Les services d'hygiène surveillent la prolifération des rats dans le centre-ville. L'agence régionale de santé recommande de ne pas laisser les sacs sur les trottoirs et de ne pas toucher les déchets accumulés près des écoles."""),
    ("eboueurs-2024-03c", "2024-03-22T21:10:00+01:00", "Le Progrès", "fr",
     "Lyon : fin de la grève des éboueurs après un accord à 110 euros",
     """La grève des éboueurs de la Métropole de Lyon a pris fin vendredi 22 mars, après dix-neuf jours de conflit. Les syndicats et la Métropole ont signé un protocole qui prévoit une prime de pénibilité de 110 euros par mois dès avril.

La question de la retraite anticipée sera examinée par un groupe de travail d'ici l'automne. Les jours de grève seront retenus pour moitié sur les salaires.

Il faudra une semaine pour ramasser les 6 000 tonnes de déchets accumulées, selon la Métropole, qui mobilise des prestataires privés.

Les grévistes ont voté la reprise du travail en assemblée générale vendredi matin, à 82 % des voix. Les premières tournées reprennent samedi dans les arrondissements les plus touchés, le 3e et le 7e."""),
    ("eboueurs-2025-10", "2025-10-07T07:30:00+02:00", "Le Progrès", "fr",
     "Lyon : nouvelle grève des éboueurs, dix-huit mois après le conflit de 2024",
     """Les éboueurs de la Métropole de Lyon sont de nouveau en grève depuis lundi 6 octobre. La CGT accuse la Métropole de ne pas avoir tenu l'engagement pris en mars 2024 d'ouvrir des négociations sur la retraite anticipée.

La collecte est perturbée dans quatre arrondissements et à Vénissieux. Selon la Métropole, 45 % des agents de collecte sont en grève, contre 70 % lors du mouvement de 2024.

Le vice-président chargé de la propreté propose une réunion jeudi et rappelle que la prime de pénibilité a été portée à 110 euros par mois en avril 2024.

La Métropole assure que les déchets des hôpitaux et des écoles seront collectés en priorité. Elle a mis en place une carte en ligne des points de collecte perturbés, mise à jour deux fois par jour."""),
    ("eboueurs-2025-10b", "2025-10-16T18:50:00+02:00", "AFP", "fr",
     "Lyon : les éboueurs suspendent leur grève, un calendrier de négociation signé",
     """Les éboueurs de la Métropole de Lyon ont suspendu jeudi 16 octobre leur grève, après dix jours de conflit. Un calendrier de négociation sur la pénibilité a été signé : trois réunions auront lieu d'ici à la fin janvier.

La Métropole s'engage à étudier un départ anticipé à 60 ans pour les agents ayant vingt ans de collecte. La CGT prévient qu'elle relancera le mouvement « si rien n'est acté en février ».

Environ 2 500 tonnes de déchets restent à ramasser, principalement dans le 8e arrondissement.

La reprise du travail a été votée à 68 % en assemblée générale. Les syndicats ont obtenu que les jours de grève soient étalés sur trois mois de salaire, au lieu d'être retenus en une fois."""),
    # --- AS Valmont: a football club's season 2024-2025 -------------------------------------------
    ("valmont-2024-08", "2024-08-17T22:30:00+02:00", "L'Équipe", "fr",
     "National : l'AS Valmont commence sa saison par une victoire 2-0 contre Dijon",
     """L'AS Valmont a réussi son entrée en championnat National vendredi 16 août en battant Dijon 2-0 au stade des Tilleuls, devant 6 200 spectateurs. Le nouvel attaquant du club, Yanis Belkacem, arrivé de Bastia cet été, a inscrit un doublé.

L'entraîneur Patrice Morand, en poste depuis juin, a aligné une équipe très remaniée : neuf joueurs sont arrivés à l'intersaison. Le club normand affiche ouvertement l'ambition de monter en Ligue 2.

Valmont se déplace à Sochaux le 23 août pour la deuxième journée.

Le club a investi 1,2 million d'euros dans son recrutement, un record. Le président s'est fixé pour objectif une montée en Ligue 2 « d'ici deux saisons », avec un budget de 7 millions d'euros, l'un des plus élevés du championnat."""),
    ("valmont-2024-10", "2024-10-26T23:00:00+02:00", "Paris-Normandie", "fr",
     "Football : l'AS Valmont prend la tête du National après sa victoire à Rouen",
     """L'AS Valmont a pris la tête du championnat National vendredi 25 octobre en s'imposant 3-1 sur la pelouse du FC Rouen, lors de la dixième journée. Yanis Belkacem, auteur de son neuvième but de la saison, est le meilleur buteur du championnat.

Les Valmontais comptent 23 points, un de plus que Sochaux. Ils n'ont perdu qu'un match, à Nancy en septembre.

« Nous ne regardons pas le classement avant la trêve », a tempéré l'entraîneur Patrice Morand.

Le gardien Mathis Jouvet n'a encaissé que sept buts en dix matchs. Les affluences du stade des Tilleuls progressent aussi : 7 400 spectateurs en moyenne, contre 5 100 la saison passée. Le prochain match, contre Nancy, se jouera à guichets fermés au stade des Tilleuls, qui compte 9 500 places."""),
    ("valmont-2024-12", "2024-12-14T21:45:00+01:00", "Paris-Normandie", "fr",
     "Coupe de France : l'AS Valmont élimine Le Havre, club de Ligue 1",
     """Exploit au stade des Tilleuls : l'AS Valmont, pensionnaire du National, a éliminé Le Havre, club de Ligue 1, samedi 14 décembre en 32es de finale de la Coupe de France (1-0). Le défenseur Kévin Lhermitte a marqué de la tête à la 78e minute.

Le stade affichait complet avec 9 500 spectateurs. Le club a reçu 60 000 euros de prime de qualification de la Fédération.

Le tirage au sort des 16es de finale aura lieu lundi. En championnat, Valmont est deuxième à la trêve, à un point de Sochaux.

Les joueurs de Valmont ont été portés en triomphe par leurs supporters à la fin du match. « C'est le plus beau jour de l'histoire du club », a réagi l'entraîneur Patrice Morand, qui avait déjà éliminé un club de Ligue 1 avec son précédent club."""),
    ("valmont-2025-01", "2025-01-15T22:50:00+01:00", "L'Équipe", "fr",
     "Coupe de France : le parcours de l'AS Valmont s'arrête face à Lens",
     """L'aventure de l'AS Valmont en Coupe de France s'est arrêtée mercredi 15 janvier en 16es de finale : le club de National s'est incliné 3-0 face au RC Lens au stade des Tilleuls.

Les Valmontais ont tenu une mi-temps avant de céder sur un penalty à la 52e minute. L'attaquant Yanis Belkacem est sorti blessé à la cheville à l'heure de jeu.

« Nous avons vécu une belle histoire, place au championnat », a déclaré l'entraîneur Patrice Morand. Valmont reçoit Nancy samedi.

Le président du club a salué « un parcours qui a fait connaître Valmont dans toute la France ». La recette des deux matchs de Coupe, 380 000 euros, servira à financer le centre de formation. Le défenseur Kévin Lhermitte, héros du tour précédent, a été élu meilleur joueur du match par les supporters."""),
    ("valmont-2025-04", "2025-04-12T22:15:00+02:00", "Paris-Normandie", "fr",
     "National : l'AS Valmont, victorieuse à Sochaux, se rapproche de la Ligue 2",
     """L'AS Valmont a fait un pas décisif vers la Ligue 2 vendredi 11 avril en battant Sochaux, son dauphin, 2-1 lors de la 28e journée de National. Revenu de blessure, Yanis Belkacem a inscrit le but de la victoire à la 89e minute.

Valmont compte désormais six points d'avance sur Sochaux à quatre journées de la fin. Les deux premiers du championnat montent directement en Ligue 2.

Un match nul à Dijon le 25 avril suffirait pour assurer la montée.

Le match s'est joué à guichets fermés, devant 9 500 spectateurs. Sochaux a terminé à dix après l'expulsion de son défenseur central à la 60e minute. Belkacem compte désormais 20 buts en championnat. L'entraîneur Patrice Morand a refusé de parler de montée : « Rien n'est fait, il reste quatre finales. »"""),
    ("valmont-2025-04b", "2025-04-26T00:10:00+02:00", "AFP", "fr",
     "Football : l'AS Valmont monte en Ligue 2 pour la première fois de son histoire",
     """L'AS Valmont jouera en Ligue 2 la saison prochaine, une première dans son histoire. Le club normand a obtenu le nul dont il avait besoin vendredi 25 avril à Dijon (1-1), lors de la 30e journée de National.

Des centaines de supporters ont fêté la montée dans les rues de Valmont dans la nuit. Le club, fondé en 1921, évoluait encore en National 2 il y a trois ans.

Le président du club a annoncé des travaux d'agrandissement du stade des Tilleuls, qui doit passer de 9 500 à 12 000 places pour répondre au cahier des charges de la Ligue.

Pour sa première saison en Ligue 2, le club devra faire passer son budget de 7 à 14 millions d'euros. Le président a confirmé que l'entraîneur Patrice Morand, arrivé il y a dix mois, avait prolongé son contrat de deux ans."""),
    ("valmont-2025-08", "2025-08-09T22:40:00+02:00", "L'Équipe", "fr",
     "Ligue 2 : l'AS Valmont s'incline pour son premier match à Guingamp",
     """Pour son premier match de Ligue 2, l'AS Valmont s'est incliné 2-0 vendredi 8 août à Guingamp. Le promu normand a manqué un penalty à la 30e minute, par son attaquant Yanis Belkacem.

L'entraîneur Patrice Morand a aligné quatre des sept recrues de l'été. « Nous devons apprendre vite, ce championnat ne pardonne rien », a-t-il reconnu.

Valmont reçoit Annecy le 16 août pour son premier match de Ligue 2 à domicile, dans un stade des Tilleuls dont les travaux d'agrandissement ne sont pas terminés.

Le stade des Tilleuls doit atteindre sa capacité de 12 000 places en octobre. D'ici là, le club jouera devant 8 000 spectateurs au plus, une tribune étant fermée pour travaux. Le club a recruté sept joueurs cet été, pour un montant total de 2,5 millions d'euros."""),
    ("valmont-2025-11", "2025-11-30T21:30:00+01:00", "Paris-Normandie", "fr",
     "Ligue 2 : l'AS Valmont limoge son entraîneur Patrice Morand",
     """L'AS Valmont a annoncé dimanche 30 novembre le départ de son entraîneur Patrice Morand, artisan de la montée en Ligue 2. Le club est avant-dernier du championnat après quinze journées, avec trois victoires seulement.

La défaite 4-0 à domicile contre Grenoble samedi a précipité la décision. L'intérim sera assuré par l'entraîneur adjoint, Sébastien Caradec.

« Patrice restera dans l'histoire du club », a déclaré le président, qui promet de recruter « un entraîneur expérimenté » avant la trêve.

Le club a encaissé 31 buts en quinze matchs, la pire défense du championnat. Yanis Belkacem, meilleur buteur de National la saison dernière, n'a marqué que trois fois en Ligue 2. Les supporters avaient déployé samedi une banderole réclamant « du respect pour le maillot ». Le club affronte Bastia vendredi."""),
    ("valmont-en-2025", "2025-04-26T09:00:00+02:00", "Reuters", "en",
     "Small Normandy club Valmont reach French second tier for the first time",
     """AS Valmont, a club from a small Normandy town, won promotion to France's Ligue 2 for the first time in their 104-year history after a 1-1 draw at Dijon on Friday.

Coach Patrice Morand's side, who played in the fifth tier three years ago, lead the third-tier National with two games left. Striker Yanis Belkacem has scored 21 league goals this season.

The club also knocked top-flight Le Havre out of the French Cup in December before losing to Lens in January. Valmont plan to expand their 9,500-seat stadium to 12,000 seats.

The club, which finished the 2023-24 season in fourth place in the National, will need to double its budget to about 14 million euros to compete in Ligue 2."""),
]
