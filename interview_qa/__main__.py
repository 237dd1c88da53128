from interview_qa.cli import main

main()
