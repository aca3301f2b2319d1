"""Recurring subjects of the news set's second part, 2024-2025 (generated text: the events and
people are invented; the places are real). Part C: wolves in the Alps, fuel prices, the ski
season, the baccalauréat, an air traffic controllers' strike, and an English wire story on the
Lyon strike.

Same shape as `stories.STORIES`: (key, date, source, lang, title, body).
"""

from __future__ import annotations

RECURRING_C: list[tuple[str, str, str, str, str, str]] = [
    # --- wolves in the Alps ---------------------------------------------------------------------------
    ("loup-2024-06", "2024-06-11T13:20:00+02:00", "Le Dauphiné libéré", "fr",
     "Savoie : 38 brebis tuées par des loups dans le massif des Bauges",
     """Un troupeau de brebis a été attaqué dans la nuit de dimanche à lundi sur un alpage du massif des Bauges (Savoie) : 38 bêtes ont été tuées et une vingtaine blessées, selon la direction départementale des territoires, qui attribue l'attaque au loup.

C'est la plus lourde attaque recensée en Savoie depuis le début de l'année. Le berger, présent avec deux chiens de protection, n'a rien pu faire face à ce qu'il décrit comme « au moins trois loups ».

Les éleveurs réclament l'autorisation de tirs de défense renforcés. La préfète de Savoie doit recevoir la chambre d'agriculture vendredi.

Depuis le début de l'année, 21 attaques ont été recensées en Savoie, pour 140 brebis tuées. L'éleveur touché, installé depuis quinze ans, sera indemnisé par l'État, mais dénonce un dispositif « trop lent »."""),
    ("loup-2024-10", "2024-10-08T16:00:00+02:00", "AFP", "fr",
     "Loups : 1 013 animaux recensés en France, une population stable",
     """La population de loups en France est estimée à 1 013 individus à la sortie de l'hiver 2023-2024, selon le bilan publié mardi par l'Office français de la biodiversité. Elle est stable par rapport à l'année précédente, après des années de forte croissance.

Les attaques sur les troupeaux ont fait 11 000 victimes en 2023, principalement des brebis, dans les Alpes et en Provence. Le nombre de loups pouvant être abattus chaque année reste fixé à 19 % de la population.

Les associations de protection de la nature s'inquiètent de la volonté du gouvernement de faire baisser le statut de protection de l'espèce au niveau européen. L'Office rappelle que le loup est présent dans une cinquantaine de départements. Le prochain comptage sera publié à l'automne prochain."""),
    ("loup-2025-06", "2025-06-17T11:45:00+02:00", "Le Dauphiné libéré", "fr",
     "Bauges : un an après, les éleveurs se disent « à bout » face au loup",
     """Un an après l'attaque qui avait tué 38 brebis dans le massif des Bauges, les éleveurs de Savoie font état de 64 attaques depuis janvier, contre 51 à la même période de 2024.

Trois loups ont été abattus dans le département depuis le début de l'année dans le cadre de tirs de défense. Les éleveurs réclament la possibilité de tirer sans autorisation préalable de la préfecture.

La chambre d'agriculture de Savoie organise samedi un rassemblement à Chambéry. La préfète a annoncé le recrutement de quatre louvetiers supplémentaires.

Les associations de protection de la nature dénoncent une « surenchère » et rappellent que les moyens de protection, chiens et clôtures électriques, réduisent fortement le nombre de victimes lorsqu'ils sont bien utilisés."""),
    ("loup-en-2024", "2024-10-08T18:30:00+02:00", "Reuters", "en",
     "France's wolf population stabilises at about 1,000, survey shows",
     """France's wolf population was stable at an estimated 1,013 animals at the end of last winter, the French biodiversity office said on Tuesday, after years of rapid growth since the species returned from Italy in the 1990s.

Wolf attacks killed about 11,000 farm animals, mostly sheep, in 2023, mainly in the Alps and Provence. Farmers may cull up to 19% of the population each year.

The government backs a move to lower the wolf's protection status in the European Union.

Wolves disappeared from France in the 1930s and returned naturally from Italy. Farmers are compensated by the state for animals killed by wolves and receive subsidies for guard dogs and fences. The office said wolves were now present in about fifty French departments."""),
    # --- fuel prices -----------------------------------------------------------------------------------
    ("carburant-2024-04", "2024-04-08T09:30:00+02:00", "AFP", "fr",
     "Carburants : le gazole repasse au-dessus de 1,85 euro le litre",
     """Le prix moyen du gazole a atteint 1,853 euro le litre la semaine dernière dans les stations-service françaises, selon les chiffres publiés lundi par le ministère de la Transition énergétique. C'est son plus haut niveau depuis octobre 2023.

Le sans-plomb 95-E10 s'établit à 1,934 euro le litre. La hausse du prix du baril de pétrole, tiré par les tensions au Moyen-Orient, explique cette progression de 6 centimes en un mois.

Les grandes surfaces multiplient les opérations de vente à prix coûtant pour attirer les automobilistes.

Le gazole reste le carburant le plus vendu en France, avec 70 % des volumes. Les associations d'automobilistes demandent une baisse temporaire des taxes, qui représentent environ 55 % du prix à la pompe. Le prix du gazole a augmenté dans toutes les régions."""),
    ("carburant-2024-10", "2024-10-14T09:15:00+02:00", "AFP", "fr",
     "Carburants : le gazole tombe sous 1,60 euro, au plus bas depuis trois ans",
     """Le prix moyen du gazole est tombé à 1,597 euro le litre la semaine dernière, son plus bas niveau depuis novembre 2021, selon le ministère de la Transition énergétique. Il a baissé de plus de 25 centimes depuis le pic d'avril.

Le sans-plomb 95-E10 recule à 1,695 euro le litre. Le ralentissement de la demande chinoise pèse sur les cours du pétrole.

Les distributeurs préviennent toutefois que la hausse annoncée de la fiscalité au 1er janvier pourrait faire remonter les prix.

Ce recul soulage les ménages ruraux et les professionnels, pour qui le carburant représente une part importante du budget. Le prix du gazole avait atteint un record de 2,14 euros en juin 2022. Les stations des autoroutes restent les plus chères."""),
    ("carburant-2025-11", "2025-11-17T09:40:00+01:00", "AFP", "fr",
     "Carburants : le gazole remonte à 1,72 euro, tiré par les tensions sur le diesel",
     """Le prix moyen du gazole a atteint 1,718 euro le litre la semaine dernière, en hausse de 9 centimes en un mois, selon le ministère de la Transition énergétique. Le sans-plomb 95-E10 est resté stable, à 1,702 euro.

L'écart inhabituel entre le gazole et l'essence s'explique par la fermeture de plusieurs raffineries en Europe et par les sanctions sur les produits raffinés russes.

Les transporteurs routiers réclament le retour de l'aide au carburant supprimée en 2023.

Les stations de la grande distribution affichent en moyenne des prix inférieurs de 5 centimes à ceux des stations des autoroutes. Le gouvernement exclut toute baisse des taxes, invoquant l'état des finances publiques. Le prix du fioul domestique, utilisé pour le chauffage, a également augmenté."""),
    # --- the ski season -------------------------------------------------------------------------------
    ("ski-2024-12", "2024-12-14T10:30:00+01:00", "Le Dauphiné libéré", "fr",
     "Ski : les stations des Alpes ouvrent sous un bon enneigement",
     """La plupart des grandes stations des Alpes ouvrent ce samedi 14 décembre, avec un enneigement jugé « excellent » après les chutes de neige de fin novembre : jusqu'à 1,20 mètre de neige au sommet des pistes de Val Thorens et de Tignes.

Domaines skiables de France prévoit une saison stable, après un hiver 2023-2024 marqué par un manque de neige à basse altitude. Le forfait journée coûte en moyenne 4,5 % plus cher que l'an dernier.

Les réservations pour les vacances de Noël sont en hausse de 3 %, selon l'observatoire de l'Association nationale des maires des stations de montagne.

Les moniteurs de ski sont également confiants : les réservations de cours collectifs pour Noël progressent de 6 %. Plusieurs stations de moyenne montagne, en revanche, craignent un redoux annoncé pour la fin du mois."""),
    ("ski-2025-12", "2025-12-06T11:00:00+01:00", "Le Dauphiné libéré", "fr",
     "Ski : faute de neige, les stations des Alpes du Sud repoussent leur ouverture",
     """Plusieurs stations des Alpes du Sud ont repoussé d'une semaine leur ouverture prévue ce samedi 6 décembre, faute de neige. À Orcières et Superdévoluy, moins de 20 centimètres sont tombés depuis novembre, et les températures trop douces empêchent la production de neige de culture.

Dans les Alpes du Nord, Val Thorens et Tignes ouvrent comme prévu, avec 70 centimètres au sommet.

Domaines skiables de France rappelle qu'une saison se joue surtout en février. Le forfait journée augmente de 3,8 % en moyenne cette année.

Les professionnels du tourisme des Alpes du Sud craignent un nouveau début de saison difficile. Les réservations pour les vacances de Noël sont en recul de 4 % dans les Hautes-Alpes, selon l'agence départementale de développement touristique."""),
    # --- the baccalauréat ------------------------------------------------------------------------------
    ("bac-2024", "2024-07-08T14:00:00+02:00", "AFP", "fr",
     "Baccalauréat 2024 : 85,6 % d'admis avant le rattrapage",
     """Le taux de réussite au baccalauréat 2024 s'établit à 85,6 % avant les épreuves de rattrapage, selon les résultats provisoires publiés lundi par le ministère de l'Éducation nationale, en hausse de 0,2 point sur un an.

La voie générale affiche 93,4 % de réussite, la voie technologique 83,6 % et la voie professionnelle 73,4 %. Quelque 720 000 candidats étaient inscrits.

Les épreuves de rattrapage se déroulent jusqu'au 11 juillet. Le taux définitif devrait dépasser 91 %.

L'académie de Rennes affiche le meilleur taux de réussite, à 89 %, et Mayotte le plus faible. La proportion de mentions « très bien » atteint 13 %, un niveau stable depuis deux ans. Les résultats définitifs seront publiés à la mi-juillet par le ministère."""),
    ("bac-2025", "2025-07-08T14:10:00+02:00", "AFP", "fr",
     "Baccalauréat 2025 : 86,1 % d'admis avant le rattrapage",
     """Le taux de réussite au baccalauréat 2025 atteint 86,1 % avant le rattrapage, selon les résultats provisoires du ministère de l'Éducation nationale, en hausse d'un demi-point par rapport à 2024.

La voie générale affiche 93,8 % de réussite, la voie technologique 84,2 % et la voie professionnelle 74,9 %. Les candidats étaient 734 000, un record.

Pour la première fois, l'épreuve anticipée de mathématiques, introduite en classe de première, n'a pas encore compté cette année ; elle entrera dans la note du bac 2027.

L'académie de Rennes reste en tête avec 89,4 % de réussite. La part des mentions « très bien » progresse légèrement, à 13,5 %. Les résultats définitifs seront publiés après le rattrapage. Les candidats libres affichent un taux de réussite nettement plus faible."""),
    # --- air traffic controllers -----------------------------------------------------------------------
    ("aerien-2025-07", "2025-07-03T07:00:00+02:00", "AFP", "fr",
     "Grève des contrôleurs aériens : 1 500 vols annulés en France jeudi",
     """La grève des contrôleurs aériens perturbe fortement le trafic ce jeudi 3 juillet : la direction générale de l'aviation civile a demandé aux compagnies d'annuler 40 % de leurs vols à Nice, 30 % à Marseille et 25 % à Paris-Charles-de-Gaulle. Au total, environ 1 500 vols sont annulés.

Les syndicats minoritaires à l'origine du mouvement réclament des renforts d'effectifs et dénoncent la vétusté des équipements de contrôle.

La grève doit se poursuivre vendredi, premier jour des grands départs en vacances. Une compagnie irlandaise a annoncé l'annulation de 400 vols sur deux jours.

Les passagers dont le vol est annulé peuvent obtenir le remboursement de leur billet ou un réacheminement. Les compagnies rappellent toutefois qu'une grève du contrôle aérien ne donne pas droit à une indemnisation forfaitaire."""),
    ("aerien-2025-07b", "2025-07-04T21:20:00+02:00", "Le Parisien", "fr",
     "Contrôleurs aériens : la grève levée après un accord sur les effectifs",
     """Les syndicats de contrôleurs aériens ont levé vendredi soir leur préavis de grève, après un accord avec la direction générale de l'aviation civile prévoyant le recrutement de 120 contrôleurs supplémentaires d'ici à 2027.

En deux jours, le mouvement a entraîné l'annulation d'environ 3 000 vols et perturbé les déplacements de 500 000 passagers, selon les compagnies aériennes, qui réclament une indemnisation.

Le trafic devrait être normal dès samedi dans les aéroports français.

La direction générale de l'aviation civile s'est aussi engagée à moderniser les équipements du centre de contrôle d'Aix-en-Provence, l'un des plus anciens de France. Le ministre des Transports a salué « un accord responsable ». Les syndicats majoritaires, qui n'avaient pas appelé à la grève, ont salué les recrutements."""),
    ("eboueurs-en-2024", "2024-03-15T10:00:00+01:00", "Reuters", "en",
     "Rubbish piles up in Lyon as refuse collectors' strike enters second week",
     """Some 4,000 tonnes of rubbish have piled up in the streets of Lyon, France's third-largest city, as a strike by refuse collectors entered its second week, local authorities said on Friday.

The Rhône prefect ordered 120 workers back to collect waste around schools and hospitals. Unions of the Lyon metropolitan authority's 1,100 collectors demand a 150-euro monthly hardship bonus and retirement at 57; the authority has offered 80 euros.

Restaurant owners in the old town warned of damage to the city's image.

The strike, which began on March 4, has hit six of the city's nine districts as well as the neighbouring city of Villeurbanne. Health authorities warned of a rise in the number of rats in the city centre."""),
]
