"""The original stories of the dated news test set (generated text: the events are invented).

Each story: (key, date, source, lang, title, body). Several subjects come back month after
month with the same vocabulary (SNCF strikes, the ECB's rates, Ariane 6, the electricity
tariff, ...), so words alone cannot tell which month a question is about. `build.py` writes
them as articles with front matter, adds syndicated copies, and writes the questions.
"""

from __future__ import annotations

STORIES: list[tuple[str, str, str, str, str, str]] = [
    # --- SNCF strikes ------------------------------------------------------------------------
    ("sncf-oct", "2024-10-08T07:10:00+02:00", "AFP", "fr",
     "Grève à la SNCF : un TGV sur deux circule ce mardi",
     """La grève des cheminots lancée à l'appel de la CGT-Cheminots et de SUD-Rail perturbe fortement le trafic ce mardi 8 octobre. Selon la direction de la SNCF, un TGV sur deux circule en moyenne, et seulement un train Intercités sur trois.

Les syndicats réclament une hausse générale des salaires de 6 % et dénoncent la suppression de 450 postes dans les ateliers de maintenance. « Les cheminots ne peuvent plus attendre », a déclaré le secrétaire général de la CGT-Cheminots devant la gare de Lyon.

Le trafic des TER est très perturbé en Auvergne-Rhône-Alpes et en Occitanie, où trois trains sur quatre sont supprimés. La direction appelle les voyageurs à reporter leurs déplacements et promet le remboursement intégral des billets annulés.

Une nouvelle réunion de négociation est prévue jeudi au siège de la SNCF, à Saint-Denis."""),
    ("sncf-dec", "2024-12-17T18:40:00+01:00", "Le Figaro", "fr",
     "SNCF : la grève des contrôleurs menace les départs en vacances de Noël",
     """Les contrôleurs de la SNCF ont déposé un préavis de grève pour le week-end du 21 et 22 décembre, au moment des grands départs en vacances de Noël. Le collectif national des contrôleurs, soutenu par SUD-Rail, réclame une prime de fin d'année de 1 200 euros et l'embauche de 300 contrôleurs.

La direction assure que « neuf TGV sur dix » circuleront samedi, grâce à des contrôleurs non grévistes et à des cadres mobilisés. Environ 800 000 voyageurs sont attendus dans les gares ce week-end.

Le ministre des Transports a appelé les syndicats à « ne pas prendre les Français en otage » et a rappelé que la loi impose aux grévistes de se déclarer 48 heures à l'avance.

Lors de la précédente grève des contrôleurs, en février, 150 000 voyageurs avaient vu leur train supprimé."""),
    ("sncf-feb", "2025-02-11T16:05:00+01:00", "AFP", "fr",
     "SNCF : un accord salarial signé, les syndicats lèvent le préavis de grève",
     """La direction de la SNCF et trois organisations syndicales ont signé mardi 11 février un accord salarial qui prévoit une hausse de 3,5 % des salaires des cheminots en 2025 et une prime de 400 euros versée en mars.

SUD-Rail a levé le préavis de grève déposé pour les vacances d'hiver, tandis que la CGT-Cheminots, qui n'a pas signé le texte, juge l'accord « très insuffisant ». Le mouvement de décembre, au moment des départs de Noël, avait coûté 35 millions d'euros à l'entreprise.

L'accord prévoit aussi l'embauche de 1 100 contrôleurs et agents de maintenance d'ici à la fin de l'année. Le trafic sera normal pendant les vacances d'hiver, assure la direction."""),
    # --- floods --------------------------------------------------------------------------------
    ("crue-gard", "2024-09-24T11:20:00+02:00", "France Bleu", "fr",
     "Inondations dans le Gard : 300 habitants évacués après un épisode cévenol",
     """Un violent épisode cévenol a frappé le Gard dans la nuit de lundi à mardi. Il est tombé jusqu'à 420 millimètres de pluie en douze heures à Anduze, l'équivalent de quatre mois de précipitations.

Les pompiers ont évacué 300 habitants des quartiers bas d'Alès et d'Anduze, et réalisé 85 hélitreuillages. Le Gardon a dépassé de trois mètres son niveau normal. Aucune victime n'est à déplorer, mais une quarantaine de routes restent coupées.

Le préfet du Gard a demandé la reconnaissance de l'état de catastrophe naturelle pour 26 communes. Météo-France maintient la vigilance orange pluie-inondation jusqu'à mercredi matin."""),
    ("crue-seine", "2025-01-28T09:15:00+01:00", "Le Parisien", "fr",
     "Crue de la Seine : Paris placé en vigilance orange, les voies sur berges fermées",
     """La Seine a atteint 5,20 mètres au pont d'Austerlitz mardi matin, après dix jours de pluies continues sur le bassin parisien. Vigicrues a placé Paris et le Val-de-Marne en vigilance orange crues.

Les voies sur berges sont fermées à la circulation, et la RATP a fermé les stations Saint-Michel et Musée d'Orsay de la ligne C du RER. Le musée du Louvre a mis à l'abri une partie des œuvres de ses réserves, comme lors de la crue de juin 2016.

Le pic de la crue est attendu jeudi, entre 5,60 et 6 mètres, selon Vigicrues. La préfecture de police appelle les riverains à ne pas s'approcher des quais."""),
    # --- electricity tariff --------------------------------------------------------------------
    ("elec-nov", "2024-11-05T12:00:00+01:00", "Les Échos", "fr",
     "Électricité : le tarif réglementé devrait baisser d'environ 9 % en février",
     """La Commission de régulation de l'énergie (CRE) a présenté mardi ses premières estimations pour le tarif réglementé de vente d'électricité : il devrait baisser d'environ 9 % au 1er février, grâce à la chute des prix sur les marchés de gros.

Cette baisse dépendra toutefois de la hausse de l'accise sur l'électricité que le gouvernement prévoit dans le projet de budget. Si la taxe revenait à son niveau d'avant la crise, la baisse serait ramenée à 5 %.

Près de 20 millions de foyers sont au tarif réglementé, appelé tarif bleu. La facture moyenne d'un ménage chauffé à l'électricité atteint 1 600 euros par an."""),
    ("elec-feb", "2025-02-01T08:00:00+01:00", "AFP", "fr",
     "Électricité : la baisse de 15 % du tarif réglementé entre en vigueur ce samedi",
     """Le tarif réglementé de vente d'électricité baisse de 15 % ce samedi 1er février pour les 20 millions de foyers abonnés au tarif bleu d'EDF. La baisse, confirmée par la Commission de régulation de l'énergie (CRE), est plus forte que les 9 % annoncés à l'automne.

La hausse de l'accise sur l'électricité, votée dans le budget, a été limitée, ce qui explique l'écart. Pour un foyer chauffé à l'électricité, l'économie atteint environ 240 euros par an.

Les associations de consommateurs saluent « une bonne nouvelle », mais rappellent que les prix restent supérieurs de 30 % à leur niveau de 2021."""),
    # --- ECB (English) ---------------------------------------------------------------------------
    ("bce-sep", "2024-09-12T14:30:00+02:00", "Reuters", "en",
     "ECB cuts rates again as inflation cools",
     """The European Central Bank cut its deposit rate by a quarter point to 3.50% on Thursday, its second cut this year, as inflation in the euro zone slowed to 2.2% in August.

ECB President Christine Lagarde said the bank was not pre-committing to a particular rate path and would remain data-dependent. Economists polled before the meeting had expected the move.

The bank also lowered its growth forecast for the euro zone to 0.8% for this year, citing weak industrial activity in Germany. Markets now price in one more cut before the end of the year."""),
    ("bce-dec", "2024-12-12T14:25:00+01:00", "Reuters", "en",
     "ECB trims deposit rate to 3%, signals more cuts ahead",
     """The European Central Bank lowered its deposit rate by 25 basis points to 3.00% on Thursday, its fourth cut of the year, and dropped its pledge to keep policy "sufficiently restrictive".

Christine Lagarde said some policymakers had argued for a larger half-point cut. The ECB now expects inflation to average 2.1% next year and growth to reach 1.1%.

Analysts said the change in wording opened the door to further cuts in January and March, with the deposit rate seen falling to 2.00% by the summer."""),
    ("bce-jan", "2025-01-30T14:20:00+01:00", "Bloomberg", "en",
     "ECB cuts rates for a fifth time, deposit rate at 2.75%",
     """The European Central Bank cut its deposit rate to 2.75% on Thursday, the fifth reduction since June, as the euro zone economy stagnated in the final quarter of last year.

Christine Lagarde said the direction of travel was clear but declined to say how low rates would go. Growth in the euro zone was flat in the fourth quarter, with Germany and France both contracting.

The decision was unanimous, Lagarde said. Traders expect another cut at the March meeting."""),
    # --- Ariane 6 ------------------------------------------------------------------------------
    ("ariane-sep", "2024-09-30T17:00:00+02:00", "Le Monde", "fr",
     "Ariane 6 : le deuxième lancement repoussé à la fin de l'hiver",
     """Arianespace a annoncé lundi que le deuxième vol d'Ariane 6, initialement prévu en décembre, était repoussé à la fin de l'hiver. Les ingénieurs doivent analyser l'anomalie du groupe auxiliaire de puissance survenue lors du vol inaugural de juillet.

Ce deuxième lancement doit placer en orbite le satellite militaire d'observation CSO-3 pour le compte de l'Agence de l'innovation de défense. L'Europe n'a plus d'accès autonome à l'espace depuis le dernier vol d'Ariane 5, en juillet 2023.

Le patron d'Arianespace promet « six à huit lancements » d'Ariane 6 en 2025."""),
    ("ariane-dec", "2024-12-05T10:30:00+01:00", "Les Échos", "fr",
     "Ariane 6 : le vol du satellite CSO-3 fixé au 26 février",
     """Arianespace a fixé au 26 février la date du deuxième vol d'Ariane 6, qui emportera le satellite militaire CSO-3 depuis le centre spatial guyanais de Kourou.

L'anomalie du groupe auxiliaire de puissance a été corrigée, selon l'Agence spatiale européenne (ESA), qui a validé les essais de qualification la semaine dernière. Le coût de ce vol est estimé à 100 millions d'euros.

Arianespace a par ailleurs signé un contrat avec Amazon pour 18 lancements de satellites de la constellation Kuiper."""),
    ("ariane-feb", "2025-02-17T19:00:00+01:00", "AFP", "fr",
     "Ariane 6 : la fusée est arrivée sur son pas de tir à Kourou",
     """La fusée Ariane 6 a été transférée lundi sur son pas de tir du centre spatial guyanais de Kourou, à neuf jours de son deuxième vol. Le lancement du satellite militaire CSO-3 reste prévu le 26 février à 13 h 24, heure de Guyane.

Les équipes ont procédé à la répétition générale de la chronologie finale dimanche, sans incident. La météo s'annonce favorable, selon Arianespace.

Ce vol sera le premier lancement commercial d'Ariane 6, après le vol inaugural de juillet 2024."""),
    # --- Olympique lyonnais --------------------------------------------------------------------
    ("ol-sep", "2024-09-16T23:10:00+02:00", "L'Équipe", "fr",
     "Ligue 1 : l'OL arrache le nul à Monaco (2-2)",
     """L'Olympique lyonnais a obtenu le match nul sur la pelouse de Monaco (2-2) dimanche soir, lors de la 4e journée de Ligue 1. Menés 2-0 à la pause, les Lyonnais sont revenus grâce à un doublé d'Alexandre Lacazette.

Avec 4 points en quatre matchs, l'OL pointe à la 13e place du classement. L'entraîneur Pierre Sage a salué « le caractère » de son équipe.

Lyon recevra Olympiakos jeudi pour son entrée en Ligue Europa."""),
    ("ol-nov", "2024-11-25T08:30:00+01:00", "Le Progrès", "fr",
     "L'OL s'impose face à Nantes et remonte à la 4e place",
     """L'Olympique lyonnais a battu Nantes (1-0) samedi au Groupama Stadium, lors de la 12e journée de Ligue 1, grâce à un but de Rayan Cherki à la 78e minute.

Les Lyonnais remontent à la 4e place du classement avec 22 points. Pierre Sage a regretté « un match fermé » mais s'est félicité de la cinquième victoire de son équipe en six matchs.

L'OL se déplacera à Lens dimanche prochain, avant d'affronter Qarabag en Ligue Europa."""),
    ("ol-jan", "2025-01-20T22:45:00+01:00", "L'Équipe", "fr",
     "L'OL concède le nul face à Nice au Groupama Stadium (1-1)",
     """L'Olympique lyonnais a été tenu en échec par Nice (1-1) dimanche au Groupama Stadium, lors de la 18e journée de Ligue 1. Georges Mikautadze avait ouvert le score avant l'égalisation niçoise dans le temps additionnel.

Lyon reste 6e avec 29 points, à cinq longueurs du podium. L'entraîneur Pierre Sage a dénoncé « un manque de réalisme ».

La direction négocie la vente de Rayan Cherki avant la fin du mercato d'hiver, le 3 février."""),
    # --- budget -------------------------------------------------------------------------------
    ("budget-oct", "2024-10-22T21:00:00+02:00", "Public Sénat", "fr",
     "Budget 2025 : l'Assemblée adopte une taxe sur les grandes entreprises",
     """Les députés ont adopté mardi soir, en première lecture du projet de loi de finances pour 2025, une contribution exceptionnelle sur les bénéfices des entreprises réalisant plus d'un milliard d'euros de chiffre d'affaires.

La mesure doit rapporter 8 milliards d'euros en 2025, selon le rapporteur général du budget. Le gouvernement vise un déficit public de 5 % du PIB l'an prochain, contre 6,1 % attendu cette année.

L'examen de la partie recettes doit s'achever le 29 octobre, avant un vote solennel."""),
    ("budget-dec", "2024-12-04T20:55:00+01:00", "AFP", "fr",
     "Le gouvernement renversé par une motion de censure sur le budget de la Sécurité sociale",
     """L'Assemblée nationale a adopté mercredi soir une motion de censure contre le gouvernement, par 331 voix, après le recours à l'article 49.3 pour faire passer le budget de la Sécurité sociale.

C'est la première fois depuis 1962 qu'un gouvernement est renversé par une motion de censure. Le Premier ministre doit remettre sa démission au président de la République jeudi.

Le budget 2025 ne pourra pas être adopté avant la fin de l'année : une loi spéciale devra permettre de lever l'impôt à partir du 1er janvier."""),
    # --- flu -----------------------------------------------------------------------------------
    ("grippe-dec", "2024-12-20T15:00:00+01:00", "Santé publique France", "fr",
     "Grippe : l'épidémie est déclarée dans trois régions",
     """Santé publique France a déclaré vendredi l'épidémie de grippe saisonnière en Île-de-France, en Bretagne et en Normandie. Le taux de consultations pour syndrome grippal a atteint 180 pour 100 000 habitants la semaine dernière.

Les autorités sanitaires appellent les personnes de plus de 65 ans à se faire vacciner avant les fêtes : la couverture vaccinale n'atteint que 44 % dans cette population.

Les urgences pédiatriques de l'hôpital Necker signalent une hausse de 30 % des passages liés à la grippe en une semaine."""),
    ("grippe-jan", "2025-01-15T13:30:00+01:00", "Le Monde", "fr",
     "Grippe : toute la France en phase épidémique, les hôpitaux sous tension",
     """Toutes les régions de métropole sont désormais en phase épidémique de grippe, selon Santé publique France. Le taux de consultations pour syndrome grippal atteint 520 pour 100 000 habitants, un niveau inédit depuis 2017.

Plus de 160 hôpitaux ont déclenché le plan blanc, qui permet de rappeler du personnel et de déprogrammer des opérations. La ministre de la Santé a prolongé la campagne de vaccination jusqu'au 28 février.

Le pic de l'épidémie est attendu la semaine prochaine, selon les épidémiologistes."""),
    # --- museum --------------------------------------------------------------------------------
    ("musee-oct", "2024-10-15T10:00:00+02:00", "France Culture", "fr",
     "Le musée des Beaux-Arts de Rennes ferme pour deux ans de travaux",
     """Le musée des Beaux-Arts de Rennes fermera ses portes le 4 novembre pour deux ans de rénovation. Le chantier, estimé à 28 millions d'euros, doit agrandir les salles d'exposition de 1 200 mètres carrés et rendre le bâtiment accessible aux personnes handicapées.

Une partie des collections, dont « Le Nouveau-né » de Georges de La Tour, sera prêtée au musée du Louvre pendant les travaux. Le musée a accueilli 160 000 visiteurs l'an dernier.

Un dernier week-end gratuit est organisé les 2 et 3 novembre."""),
    ("musee-feb", "2025-02-14T18:20:00+01:00", "Ouest-France", "fr",
     "Rennes : le chantier du musée des Beaux-Arts a commencé",
     """Trois mois après sa fermeture, le musée des Beaux-Arts de Rennes est entré dans sa phase de travaux lourds. Les grues ont été installées cette semaine sur le quai Émile-Zola.

Le coût du chantier a été relevé à 31 millions d'euros, en raison de la découverte d'amiante dans les anciennes réserves. La réouverture reste prévue à l'automne 2026.

« Le Nouveau-né » de Georges de La Tour est exposé au Louvre jusqu'en septembre."""),
    # --- tech company (English) ---------------------------------------------------------------
    ("nordlys-oct", "2024-10-24T22:05:00+02:00", "Bloomberg", "en",
     "Nordlys Software beats forecasts, lifts annual revenue outlook",
     """Nordlys Software reported third-quarter revenue of $2.4 billion on Thursday, up 18% from a year earlier and above analysts' estimates of $2.3 billion, driven by demand for its cloud security products.

The Oslo-based company raised its full-year revenue forecast to $9.3 billion. Chief executive Ingrid Halvorsen said artificial intelligence features now accounted for 12% of new contracts.

Shares rose 7% in after-hours trading. The company employs 21,000 people worldwide."""),
    ("nordlys-jan", "2025-01-23T21:40:00+01:00", "Reuters", "en",
     "Nordlys Software to cut 1,800 jobs despite record quarter",
     """Nordlys Software said on Thursday it would cut about 1,800 jobs, or nearly 9% of its workforce, even as it reported record fourth-quarter revenue of $2.7 billion.

Chief executive Ingrid Halvorsen said the company would reinvest the savings in artificial intelligence and data centres. Most of the cuts will affect sales and administrative staff in Europe and North America.

The company forecast 2025 revenue of $10.5 billion. Its shares fell 3% in extended trading."""),
    # --- COP29 (English) ----------------------------------------------------------------------
    ("cop-open", "2024-11-11T12:00:00+01:00", "Reuters", "en",
     "COP29 opens in Baku with climate finance at the top of the agenda",
     """The United Nations climate summit COP29 opened in Baku, Azerbaijan, on Monday, with negotiators from nearly 200 countries aiming to agree a new goal for climate finance for developing nations.

Developing countries are asking for at least $1 trillion a year, while rich nations have not put a figure on the table. Several leaders of major economies are skipping the summit.

The talks are scheduled to end on November 22."""),
    ("cop-close", "2024-11-24T06:30:00+01:00", "AP", "en",
     "COP29 ends with a $300 billion climate finance deal",
     """Negotiators at the COP29 climate summit in Baku agreed early on Sunday that wealthy nations will provide at least $300 billion a year by 2035 to help developing countries cope with climate change.

The deal, reached more than 30 hours after the scheduled end of the talks, was criticised by many developing nations as far too small. India's delegate called the amount "abysmally poor".

The next summit, COP30, will be held in Belém, Brazil, in November 2025."""),
    # --- forest fire ---------------------------------------------------------------------------
    ("feu-sep", "2024-09-05T19:30:00+02:00", "France 3", "fr",
     "Incendie dans le massif des Maures : 900 hectares brûlés",
     """Un incendie a parcouru 900 hectares de forêt dans le massif des Maures, dans le Var, entre mercredi et jeudi. Attisé par un mistral soufflant à 80 km/h, le feu est parti d'un bord de route près de La Garde-Freinet.

Quelque 600 pompiers et huit Canadair ont été mobilisés. Un camping de 1 200 personnes a été évacué par précaution. Le feu était fixé jeudi soir, selon la préfecture.

Une enquête a été ouverte pour déterminer l'origine du sinistre."""),
    # --- storms --------------------------------------------------------------------------------
    ("tempete-nov", "2024-11-21T07:45:00+01:00", "Ouest-France", "fr",
     "Tempête Bérénice : 180 000 foyers privés d'électricité en Bretagne",
     """La tempête Bérénice a balayé la Bretagne et la Normandie dans la nuit de mercredi à jeudi, avec des rafales atteignant 140 km/h à la pointe du Raz. Enedis recensait jeudi matin 180 000 foyers privés d'électricité.

Plusieurs lignes de TER ont été interrompues par des chutes d'arbres entre Brest et Quimper. Un automobiliste a été blessé par la chute d'un arbre dans le Finistère.

Météo-France a levé la vigilance orange vents violents en milieu de matinée."""),
    ("tempete-jan", "2025-01-27T08:10:00+01:00", "AFP", "fr",
     "Tempête Wilfried : deux morts et des rafales à 160 km/h dans le Sud-Ouest",
     """La tempête Wilfried a fait deux morts dans les Landes et en Gironde, dans la nuit de dimanche à lundi, avec des rafales mesurées jusqu'à 160 km/h au cap Ferret.

Enedis comptait lundi matin 250 000 foyers privés d'électricité en Nouvelle-Aquitaine. La circulation des trains a été interrompue entre Bordeaux et Dax.

Météo-France a placé cinq départements en vigilance rouge vents violents, une première depuis la tempête Klaus en 2009."""),
    # --- housing -------------------------------------------------------------------------------
    ("immo-oct", "2024-10-03T09:00:00+02:00", "Le Figaro", "fr",
     "Immobilier : les prix des logements anciens reculent de 4 % sur un an",
     """Les prix des logements anciens ont baissé de 4 % sur un an au deuxième trimestre, selon les notaires de France. À Paris, le prix moyen du mètre carré est passé sous la barre des 9 500 euros.

Le nombre de ventes a chuté à 800 000 sur un an, au plus bas depuis 2015. Les taux des crédits immobiliers, qui avaient atteint 4,2 % fin 2023, redescendent à 3,6 %.

Les notaires anticipent une stabilisation des prix au début de l'année prochaine."""),
    ("immo-jan", "2025-01-09T09:30:00+01:00", "Les Échos", "fr",
     "Immobilier : les taux des crédits passent sous les 3,3 %",
     """Le taux moyen des crédits immobiliers est tombé à 3,27 % en décembre, selon l'Observatoire Crédit Logement. C'est son plus bas niveau depuis juin 2023.

Les banques ont accordé 21 % de crédits de plus qu'un an plus tôt sur le dernier trimestre. Les prix des logements anciens se stabilisent, avec une baisse limitée à 1,5 % sur un an à Paris.

Les courtiers s'attendent à des taux proches de 3 % au printemps."""),
    # --- farmers -------------------------------------------------------------------------------
    ("agri-nov", "2024-11-18T12:15:00+01:00", "France Info", "fr",
     "Les agriculteurs manifestent contre l'accord UE-Mercosur",
     """Des milliers d'agriculteurs ont manifesté lundi dans toute la France, à l'appel de la FNSEA et des Jeunes agriculteurs, contre le projet d'accord de libre-échange entre l'Union européenne et les pays du Mercosur.

Quelque 80 rassemblements ont eu lieu devant les préfectures. À Strasbourg, 300 tracteurs ont bloqué le pont de l'Europe. Les syndicats dénoncent « une concurrence déloyale » de la viande bovine sud-américaine.

Le gouvernement assure que la France « ne signera pas l'accord en l'état »."""),
    ("agri-jan", "2025-01-31T17:00:00+01:00", "La Croix", "fr",
     "Élections dans les chambres d'agriculture : la FNSEA reste en tête, la Coordination rurale progresse",
     """La FNSEA et les Jeunes agriculteurs ont recueilli 46,7 % des voix aux élections des chambres d'agriculture, dont les résultats ont été publiés vendredi. La Coordination rurale progresse à 29,6 % et prend la présidence de 14 chambres départementales.

La Confédération paysanne obtient 20,5 % des suffrages. La participation atteint 44 %, en baisse par rapport au scrutin de 2019.

La campagne avait été marquée par les manifestations contre l'accord UE-Mercosur en novembre."""),
    # --- electric cars (English) ---------------------------------------------------------------
    ("ev-oct", "2024-10-17T09:00:00+02:00", "Reuters", "en",
     "EU electric car sales fall 44% in August",
     """Sales of battery electric cars in the European Union fell 44% in August from a year earlier, the European Automobile Manufacturers' Association (ACEA) said on Thursday, dragged down by a slump in Germany after subsidies ended.

Battery electric vehicles accounted for 14.4% of new registrations in August, down from 21% a year earlier. Hybrid cars gained market share.

Carmakers are calling on Brussels to delay tougher CO2 targets due in 2025."""),
    ("ev-feb", "2025-02-19T10:00:00+01:00", "Reuters", "en",
     "EU electric car registrations jump 34% in January",
     """Registrations of battery electric cars in the European Union rose 34% in January from a year earlier, the European Automobile Manufacturers' Association said on Wednesday, as carmakers cut prices to meet new CO2 targets.

Battery electric vehicles took 15% of the market, up from 10.9% a year earlier. Tesla's sales fell 45% while Volkswagen's rose sharply.

Overall car registrations in the EU fell 2.6% in January."""),
    # --- one-off stories -----------------------------------------------------------------------
    ("notre-dame", "2024-12-07T21:30:00+01:00", "AFP", "fr",
     "Notre-Dame de Paris rouvre ses portes cinq ans après l'incendie",
     """La cathédrale Notre-Dame de Paris a rouvert samedi soir lors d'une cérémonie en présence de 1 500 invités, dont une cinquantaine de chefs d'État et de gouvernement, cinq ans et demi après l'incendie d'avril 2019.

L'archevêque de Paris a frappé trois fois la porte de la cathédrale avec sa crosse avant d'y entrer. Le chantier de restauration a coûté environ 700 millions d'euros, financés par 840 millions d'euros de dons.

Les visites du public reprendront le 16 décembre, sans réservation obligatoire."""),
    ("telethon", "2024-12-08T23:00:00+01:00", "France Info", "fr",
     "Téléthon 2024 : 70,5 millions d'euros de promesses de dons",
     """Le Téléthon 2024 a recueilli 70,5 millions d'euros de promesses de dons, a annoncé l'AFM-Téléthon dimanche soir, au terme de trente heures d'émission sur France 2.

Ce montant est légèrement inférieur à celui de l'an dernier, qui avait atteint 80,4 millions d'euros. Les fonds financent la recherche sur les maladies génétiques rares.

Plus de 20 000 animations ont été organisées dans les communes pendant le week-end."""),
    ("black-friday", "2024-11-29T16:00:00+01:00", "AP", "en",
     "Black Friday shoppers spend a record $10.8 billion online",
     """US shoppers spent a record $10.8 billion online on Black Friday, up 10.2% from last year, according to Adobe Analytics, as retailers offered discounts of up to 30% on electronics and toys.

Purchases made on smartphones accounted for 57% of online sales. Foot traffic in physical stores rose only slightly.

Retailers expect Cyber Monday to bring in more than $13 billion."""),
    ("lumieres", "2024-12-06T22:00:00+01:00", "Le Progrès", "fr",
     "Fête des Lumières : 1,8 million de visiteurs attendus à Lyon",
     """La Fête des Lumières a débuté jeudi soir à Lyon pour quatre soirées, avec 25 installations lumineuses réparties dans la ville. Les organisateurs attendent 1,8 million de visiteurs jusqu'à dimanche.

La place des Terreaux accueille une projection monumentale consacrée aux 200 ans de la photographie. Le dispositif de sécurité mobilise 1 500 policiers et gendarmes.

Les Lyonnais sont invités à déposer des lumignons sur leurs fenêtres le 8 décembre, selon la tradition."""),
    ("rentree", "2024-09-02T08:00:00+02:00", "Le Monde", "fr",
     "Rentrée scolaire : 12 millions d'élèves retrouvent les bancs de l'école",
     """Quelque 12 millions d'élèves ont fait leur rentrée lundi 2 septembre dans les écoles, collèges et lycées. La principale nouveauté est la mise en place des groupes de niveau en mathématiques et en français pour les élèves de sixième et de cinquième.

Les syndicats d'enseignants dénoncent 3 000 postes non pourvus aux concours. Le ministère assure qu'« un professeur sera devant chaque classe ».

L'allocation de rentrée scolaire, versée à 3 millions de familles, a été revalorisée de 4,6 %."""),
    ("nouvel-an", "2025-01-01T11:00:00+01:00", "AFP", "fr",
     "Nuit du Nouvel An : 984 véhicules incendiés, un chiffre en baisse",
     """Le ministère de l'Intérieur a recensé 984 véhicules incendiés pendant la nuit de la Saint-Sylvestre, contre 745 l'an dernier selon un nouveau mode de calcul. Les forces de l'ordre ont procédé à 420 interpellations.

Quelque 90 000 policiers et gendarmes avaient été mobilisés dans toute la France. À Paris, un million de personnes ont assisté au feu d'artifice tiré depuis l'Arc de triomphe.

Le ministre de l'Intérieur a salué « le professionnalisme » des forces de l'ordre."""),
    ("soldes", "2025-01-08T08:30:00+01:00", "Le Parisien", "fr",
     "Les soldes d'hiver commencent ce mercredi pour quatre semaines",
     """Les soldes d'hiver ont débuté mercredi 8 janvier dans la plupart des départements et dureront quatre semaines, jusqu'au 4 février. Les commerçants espèrent relancer une consommation en berne après un mois de décembre décevant.

Selon l'Alliance du commerce, les ventes d'habillement ont reculé de 3 % en 2024. Les premières démarques atteignent 30 à 50 %.

Dans les Alpes-Maritimes, les soldes ont commencé le 2 janvier, en raison de la proximité de l'Italie."""),
    ("goncourt", "2024-11-04T13:00:00+01:00", "France Culture", "fr",
     "Le prix Goncourt 2024 attribué à Kamel Daoud pour « Houris »",
     """Le prix Goncourt a été attribué lundi à Kamel Daoud pour son roman « Houris », publié chez Gallimard, qui évoque la guerre civile algérienne des années 1990. Le jury l'a choisi au premier tour par six voix contre deux.

Le prix Renaudot a récompensé Gaël Faye pour « Jacaranda ». Les ventes d'un roman couronné par le Goncourt dépassent en moyenne 400 000 exemplaires.

Le livre est interdit de publication en Algérie."""),
    ("salon-auto", "2024-10-14T18:00:00+02:00", "Les Échos", "fr",
     "Mondial de l'automobile : les constructeurs chinois en force à Paris",
     """Le Mondial de l'automobile de Paris a fermé ses portes dimanche après avoir accueilli 500 000 visiteurs en une semaine. Les constructeurs chinois BYD, Leapmotor et Xpeng y ont présenté une dizaine de voitures électriques à moins de 30 000 euros.

Renault a dévoilé la nouvelle R4 électrique, vendue à partir de 35 000 euros. Stellantis a présenté la Citroën C3 Aircross.

L'Union européenne a décidé au début du mois d'imposer des droits de douane supplémentaires jusqu'à 35 % sur les voitures électriques fabriquées en Chine."""),
]
